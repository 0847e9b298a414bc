"""A member sees, takes and erases her data (AVG arts. 15, 17, 20); nothing of anyone else comes along.

The walk over every model with a foreign key to the user (``apps.get_models()``) makes a new
model that holds personal data fail here until its app declares it in the registry.
"""

import datetime
import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts import data_rights
from accounts.models import MemberListEntry, MemberListImport, MembershipType, Profile, RetentionNotice, User
from accounts.personal_data import Policy, declared_relations
from accounts.tests.factories import PASSWORD, CoordinatorFactory, MemberFactory
from evaluations import services as evaluation_services
from evaluations.models import Invitation, Response, SealedBallot
from evaluations.tests.factories import EvaluationRoundFactory, QuestionFactory, answers_for
from matching import agreements as matching_agreements
from matching.models import FitCheck, Match, PairOverride, RenewalAnswer, Role
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, MentorApplicationFactory
from meetings import services as meeting_services
from meetings.models import Meeting, PrivateNote
from meetings.tests.factories import HeldMeetingFactory
from notifications.emails.build import OUTBOX_HEADER
from notifications.models import OutboxMessage
from notifications.tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

HER_NOTE = "Mijn eigen aantekening: oefenen met nee zeggen."
PARTNER_NOTE = "Aantekening van de mentor: zij twijfelt over overstap."
OPEN_ANSWER = "Mijn mentor luistert heel goed, anoniem antwoord."
PARTNER_PHONE = "+31 6 99887766"


def user_relations() -> set[str]:
    """Every concrete foreign key (or one-to-one) to the user, in every installed model."""
    found = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue  # the same table as its concrete model
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model is User:
                found.add(f"{model._meta.label_lower}.{field.name}")
    return found


def rows_naming(user_pk) -> dict[str, int]:
    counts = {}
    for relation in user_relations():
        app_label, model_name, field_name = relation.split(".")
        model = apps.get_model(app_label, model_name)
        counts[relation] = model._default_manager.filter(**{field_name: user_pk}).count()
    return counts


@pytest.fixture
def her(django_capture_on_commit_callbacks):
    """Anna takes part fully: profile, application, an active pair with meetings and notes,
    an evaluation she answered, a calendar feed, mails, a member-list line, and an earlier pair."""
    anna = MemberFactory(full_name="Anna Verwijder", email="anna@example.org")
    mentor = MemberFactory(full_name="Marieke Blijft", email="marieke@example.org")
    Profile.objects.filter(user=mentor).update(phone=PARTNER_PHONE)
    application = ApplicationFactory(member=anna, mentoring_question="Hoe word ik partner bij mijn kantoor?")
    mentor_application = MentorApplicationFactory(member=mentor, cycle=application.cycle)
    match = ActiveMatchFactory(
        mentor=mentor,
        mentee=anna,
        cycle=application.cycle,
        mentee_application=application,
        mentor_application=mentor_application,
        start_date=timezone.localdate() - datetime.timedelta(days=60),
    )
    matching_agreements.agreement_update(match=match, by=anna, mission="Groeien naar partner.")
    meeting = HeldMeetingFactory(match=match, starts_at=timezone.now() - datetime.timedelta(days=3))
    meeting_services.private_note_save(meeting=meeting, author=anna, text=HER_NOTE)
    meeting_services.private_note_save(meeting=meeting, author=mentor, text=PARTNER_NOTE)
    meeting_services.calendar_feed_renew(user=anna)
    meeting_services.certificate_issue(match=match, member=anna, held_meetings=[meeting])
    evaluation_round = EvaluationRoundFactory(cycle=application.cycle)
    QuestionFactory(round=evaluation_round, kind="open", text="Wat wil je kwijt?")
    evaluation_services.invitations_ensure(round=evaluation_round)
    invitation = Invitation.objects.get(user=anna, role=Role.MENTEE)
    evaluation_services.response_submit(
        invitation=invitation, user=anna, answers=answers_for(evaluation_round, Role.MENTEE, text=OPEN_ANSWER)
    )
    OutboxMessageFactory(recipient=anna)
    profile = anna.profile
    member_list = MemberListImport.objects.create(file_name="leden.xlsx")
    MemberListEntry.objects.create(
        membership_number=profile.membership_number,
        email=anna.email,
        membership_type=MembershipType.MEMBER,
        member_list_import=member_list,
    )
    # An earlier pair in which she was the mentor, completed.
    earlier = ActiveMatchFactory(mentor=anna, start_date=timezone.localdate() - datetime.timedelta(days=800))
    Match.objects.filter(pk=earlier.pk).update(status=Match.Status.COMPLETED, ended_on=earlier.planned_end)
    RenewalAnswer.objects.create(match=match, member=anna, wants_to_continue=True)
    FitCheck.objects.create(match=match, member=anna, answer=FitCheck.Answer.GOOD, answered_at=timezone.now())
    # Issue 25 §5: pairs of hers a coordinator allowed again, as mentor and as mentee.
    PairOverride.objects.create(mentor=anna, mentee=MemberFactory(), reason="Ze is terug")
    PairOverride.objects.create(mentor=MemberFactory(), mentee=anna, reason="Nieuwe kans")
    RetentionNotice.objects.create(
        user=anna, topic=RetentionNotice.Topic.NOTES, about_id=earlier.pk, erase_on=timezone.localdate()
    )
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        Authenticator.objects.create(user=anna, type=Authenticator.Type.TOTP, data={"secret": "geheim"})
    coordinator = CoordinatorFactory()
    LogEntry.objects.create(
        user=coordinator,
        content_type_id=ContentType.objects.get_for_model(Profile).pk,
        object_id=str(profile.pk),
        object_repr=str(profile),
        action_flag=CHANGE,
    )
    return {"anna": anna, "mentor": mentor, "match": match, "meeting": meeting, "earlier": earlier}


# --- The registry -----------------------------------------------------------------------


def test_every_foreign_key_to_a_member_is_declared_by_its_app():
    """A new model with a user foreign key fails here until its app says what export and erasure do with it."""
    declared = declared_relations()
    assert user_relations() - set(declared) == set(), "declare these in the app's personal_data contributor"
    assert set(declared) - user_relations() == set(), "declared relations that no longer exist"


# --- Export -----------------------------------------------------------------------------------


def test_the_export_holds_every_row_and_every_field_about_her(her):
    anna = her["anna"]
    sections = data_rights.personal_data(anna)
    by_model = {}
    for section in sections:
        by_model.setdefault(section.model, []).append(section)
        model = apps.get_model(section.model)
        # Every concrete field is exported, withheld with a reason, or the link to herself or the parent row.
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.auto_created or field.many_to_many:
                continue
            if field.name in section.fields:
                continue
            assert field.name in section.withheld or (field.is_relation and field.related_model in (User, Match)), (
                f"{section.model}.{field.name} is neither exported nor withheld"
            )
    for relation, policy in declared_relations().items():
        if policy not in Policy.EXPORTED:
            continue
        app_label, model_name, field_name = relation.split(".")
        model = apps.get_model(app_label, model_name)
        hers = model._default_manager.filter(**{field_name: anna.pk}).count()
        label = model._meta.label_lower
        assert label in by_model, f"{relation} is not in the export"
        assert sum(len(section.records) for section in by_model[label]) >= hers, relation
    # The fixture gave her a row in every exported relation, so none of this passed vacuously.
    counts = rows_naming(anna.pk)
    empty = [
        relation for relation, policy in declared_relations().items() if policy == Policy.HERS and not counts[relation]
    ]
    assert empty == []


def test_the_export_has_her_own_notes_decrypted_but_no_partner_notes_and_no_evaluation_answer(her):
    document = json.dumps(data_rights.export_document(her["anna"]), ensure_ascii=False)
    assert HER_NOTE in document
    assert "Hoe word ik partner bij mijn kantoor?" in document
    assert PARTNER_NOTE not in document
    assert OPEN_ANSWER not in document
    assert PARTNER_PHONE not in document
    assert "marieke@example.org" not in document
    # Her answer exists (sealed until the round is published), and still is not in her export.
    assert SealedBallot.objects.count() + Response.objects.count() == 1
    sections = json.loads(document)["sections"]
    assert sections["evaluation_invitations"]["records"][0]["submitted"] is True


def test_the_zip_holds_a_documented_json_file_and_a_readable_page(her):
    archive = zipfile.ZipFile(io.BytesIO(data_rights.export_zip(her["anna"])))
    assert sorted(archive.namelist()) == [data_rights.HTML_NAME, data_rights.JSON_NAME]
    document = json.loads(archive.read(data_rights.JSON_NAME))
    assert document["format"] == "mentorprogramma-personal-data"
    profile = document["sections"]["profile"]
    assert profile["keys"]["membership_number"]  # every key is explained
    assert set(profile["records"][0]) == set(profile["keys"])
    page = archive.read(data_rights.HTML_NAME).decode()
    assert HER_NOTE in page
    assert her["anna"].profile.membership_number in page


# --- Erasure ------------------------------------------------------------------------------------


def test_erasure_removes_every_row_that_names_her_and_keeps_the_partners_side(
    her, django_capture_on_commit_callbacks, mailoutbox
):
    anna, mentor, match = her["anna"], her["mentor"], her["match"]
    answers = SealedBallot.objects.count() + Response.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        data_rights.member_erase(member=anna, by=anna)

    assert not User.objects.filter(pk=anna.pk).exists()
    assert {relation: count for relation, count in rows_naming(anna.pk).items() if count} == {}
    assert not EmailAddress.objects.filter(email="anna@example.org").exists()
    assert not LogEntry.objects.filter(object_repr__contains="Anna Verwijder").exists()
    # The pair stays for Marieke, ended early (R6), with Anna as nobody.
    match.refresh_from_db()
    assert match.status == Match.Status.ENDED_EARLY
    assert match.end_category == Match.EndCategory.UNKNOWN  # nobody said why (issue 27 §2)
    assert match.mentee_id is None and match.mentee_application_id is None
    assert match.mentor_id == mentor.pk
    assert Meeting.objects.filter(match=match).count() == 1
    assert PrivateNote.objects.filter(author=mentor).count() == 1
    assert PrivateNote.objects.count() == 1
    # Anonymous answers stay; the association's member list stays.
    assert SealedBallot.objects.count() + Response.objects.count() == answers
    assert MemberListEntry.objects.filter(email="anna@example.org").exists()
    # Marieke is told the pair ended, once, without a name or a reason.
    told = OutboxMessage.objects.filter(recipient=mentor, kind=OutboxMessage.Kind.PAIR_ENDED)
    assert told.count() == 1
    # (Delivery sends whatever waits in the outbox: pick this message by its outbox id.)
    (mail,) = [mail for mail in mailoutbox if mail.extra_headers.get(OUTBOX_HEADER) == str(told.get().pk)]
    body = mail.body + mail.alternatives[0][0]
    assert "Anna" not in body and "Verwijder" not in body


def test_after_erasure_the_partners_pair_page_works_and_names_nobody(her, client):
    anna, mentor, match = her["anna"], her["mentor"], her["match"]
    data_rights.member_erase(member=anna, by=anna)
    client.force_login(mentor)
    page = client.get(reverse("matching:pair_detail", args=[match.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "voormalig deelnemer" in html
    assert "Anna" not in html and "anna@example.org" not in html
    assert client.get(reverse("meetings:list", args=[match.pk])).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
    assert "Anna" not in client.get(reverse("dashboard")).content.decode()


def test_erasure_of_the_mentor_of_a_proposed_pair_ends_it_without_telling_anyone():
    match = ActiveMatchFactory(status=Match.Status.PROPOSED, start_date=None, planned_end=None)
    data_rights.member_erase(member=match.mentor)
    match.refresh_from_db()
    assert match.status == Match.Status.ENDED_EARLY and match.mentor_id is None
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.PAIR_ENDED).exists()


# --- Who may: anonymous, another member, herself, a coordinator --------------------------------


def reauthenticate(client):
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content


@pytest.mark.parametrize("name", ["my_data:overview", "my_data:download", "my_data:account_delete"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_she_sees_her_own_data_on_the_page(her, client):
    client.force_login(her["anna"])
    page = client.get(reverse("my_data:overview"))
    html = page.content.decode()
    assert page.status_code == 200
    assert HER_NOTE in html and her["anna"].profile.membership_number in html
    assert PARTNER_NOTE not in html and OPEN_ANSWER not in html


def test_another_member_only_ever_gets_her_own_data(her, client):
    other = MemberFactory()
    client.force_login(other)
    html = client.get(reverse("my_data:overview")).content.decode()
    assert other.profile.membership_number in html
    assert HER_NOTE not in html and "Anna Verwijder" not in html
    reauthenticate(client)
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("my_data:download")).content))
    assert "Anna Verwijder" not in archive.read(data_rights.JSON_NAME).decode()


def test_the_download_asks_for_her_password_first(her, client):
    client.force_login(her["anna"])
    response = client.get(reverse("my_data:download"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    response = client.get(reverse("my_data:download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert HER_NOTE in zipfile.ZipFile(io.BytesIO(response.content)).read(data_rights.JSON_NAME).decode()


def test_deleting_asks_for_her_password_then_a_confirmation(her, client):
    anna = her["anna"]
    client.force_login(anna)
    assert client.get(reverse("my_data:account_delete"))["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    page = client.get(reverse("my_data:account_delete"))
    assert page.status_code == 200
    assert "voormalig deelnemer" in page.content.decode()
    unconfirmed = client.post(reverse("my_data:account_delete"), {})
    assert unconfirmed.status_code == 400
    assert User.objects.filter(pk=anna.pk).exists()
    done = client.post(reverse("my_data:account_delete"), {"confirm": "yes"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("home")
    assert not User.objects.filter(pk=anna.pk).exists()
    assert not done.context["user"].is_authenticated


def test_a_coordinator_sees_her_own_data_but_does_not_delete_her_own_account(client):
    coordinator = CoordinatorFactory(full_name="Carla Coördinator")
    client.force_login(coordinator)
    assert "Carla Coördinator" in client.get(reverse("my_data:overview")).content.decode()
    reauthenticate(client)
    assert client.get(reverse("my_data:account_delete")).status_code == 403
    assert client.post(reverse("my_data:account_delete"), {"confirm": "yes"}).status_code == 403
    assert User.objects.filter(pk=coordinator.pk).exists()


def test_a_coordinator_erases_a_member_at_her_request_after_reauthenticating(her, client):
    anna, mentor = her["anna"], her["mentor"]
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    url = reverse("admin:accounts_profile_erase", args=[anna.profile.pk])
    assert client.get(url)["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    page = client.get(url)
    assert page.status_code == 200
    assert "Anna Verwijder" in page.content.decode()
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=anna.pk).exists()
    assert OutboxMessage.objects.filter(recipient=mentor, kind=OutboxMessage.Kind.PAIR_ENDED).exists()


def test_the_admin_action_leads_to_the_erase_page_for_one_member(her, client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:accounts_profile_changelist"),
        {"action": "erase_at_her_request", "_selected_action": [her["anna"].profile.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_profile_erase", args=[her["anna"].profile.pk])


def test_a_member_cannot_reach_the_admin_erase_page(her, client):
    other = MemberFactory()
    client.force_login(other)
    reauthenticate(client)
    response = client.post(reverse("admin:accounts_profile_erase", args=[her["anna"].profile.pk]), {"confirm": "yes"})
    assert response.status_code in (302, 403)
    assert User.objects.filter(pk=her["anna"].pk).exists()


def test_a_coordinator_is_not_erased_through_the_member_admin(client):
    coordinator = CoordinatorFactory()
    other = CoordinatorFactory()
    Profile.objects.create(
        user=other,
        membership_number="999999",
        membership_type=MembershipType.MEMBER,
        organisation="NOB",
        job_title="Adviseur",
        career_start_year=2000,
        region="utrecht",
    )
    client.force_login(coordinator)
    reauthenticate(client)
    client.post(reverse("admin:accounts_profile_erase", args=[other.profile.pk]), {"confirm": "yes"})
    assert User.objects.filter(pk=other.pk).exists()
