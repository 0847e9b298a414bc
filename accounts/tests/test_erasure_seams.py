"""Erasure is complete and breaks nothing (issue 21 §7).

After a member erased her account: the weekly digest is sent (it crashed on her empty place), the
cockpit reads "verwijderd lid" (it read "– None"), her mentorvraag is no longer the pair's mission,
her name is gone from the admin's history, and the results page explains why it counts more
responses than submissions.
"""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts import data_rights
from accounts.tests.factories import CoordinatorFactory, MemberFactory
from coordination import digest as coordinator_digest
from evaluations.models import Role as EvaluationRole
from evaluations.tests.factories import EvaluationRoundFactory, add_responses, publish
from matching import agreements as matching_agreements
from matching import services as matching_services
from matching.models import Agreement, Match
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory

pytestmark = pytest.mark.django_db

QUESTION = "Hoe combineer ik de overstap naar de Belastingdienst met mijn gezin?"


@pytest.fixture
def femke_left(django_capture_on_commit_callbacks):
    """Femke ended her pair this week, then erased her account."""
    femke = MemberFactory(full_name="Femke Visser")
    application = ApplicationFactory(member=femke, mentoring_question=QUESTION)
    match = ActiveMatchFactory(mentee=femke, mentee_application=application, cycle=application.cycle)
    matching_agreements.agreement_ensure(match=match)
    coordinator = CoordinatorFactory(language="nl")
    LogEntry.objects.create(
        user=coordinator,
        content_type_id=ContentType.objects.get_for_model(Match).pk,
        object_id=str(match.pk),
        object_repr=str(match),
        action_flag=CHANGE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.match_end_early(match=match, by=femke, reason="Geen tijd meer.", category="time")
        data_rights.member_erase(member=femke, by=femke)
    return {"match": match, "coordinator": coordinator, "mentor": match.mentor}


def test_the_weekly_digest_is_sent_after_a_member_erased_her_account(femke_left, django_capture_on_commit_callbacks):
    from django.core import mail

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_digest.digest_record()

    (digest,) = [email for email in mail.outbox if femke_left["coordinator"].email in email.to]
    assert "verwijderd lid" in digest.body
    assert "Femke" not in digest.body


def test_the_cockpit_names_an_erased_member_verwijderd_lid(femke_left, client):
    client.force_login(femke_left["coordinator"])

    page = client.get(reverse("coordination")).content.decode()

    assert "None" not in page
    assert "verwijderd lid" in page


def test_her_mentorvraag_does_not_stay_as_the_pairs_mission(femke_left):
    agreement = Agreement.objects.get(match=femke_left["match"])

    assert QUESTION not in agreement.mission


def test_her_name_leaves_the_admin_history(femke_left, client):
    assert not LogEntry.objects.filter(object_repr__contains="Femke").exists()
    client.force_login(femke_left["coordinator"])
    assert "Femke" not in client.get(reverse("admin:index")).content.decode()


def test_the_results_page_explains_more_responses_than_submissions(client):
    evaluation_round = EvaluationRoundFactory(opens_on=timezone.localdate() - timezone.timedelta(days=10))
    from evaluations import services as evaluation_services

    evaluation_services.round_add_default_questions(round=evaluation_round)
    add_responses(evaluation_round, EvaluationRole.MENTEE, 5)
    erased = evaluation_round.invitations.first().user
    data_rights.member_erase(member=erased, by=erased)
    evaluation_round.closes_on = timezone.localdate() - timezone.timedelta(days=1)
    evaluation_round.save()
    publish(evaluation_round)
    client.force_login(CoordinatorFactory())

    page = client.get(reverse("admin:evaluations_evaluationround_results", args=[evaluation_round.pk]))

    html = page.content.decode()
    assert "5 ingevulde formulieren" in html
    assert "account verwijderde" in html
