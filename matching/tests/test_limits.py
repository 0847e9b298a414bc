"""Free text has limits a member is told about, and dates stay within the pair's term (issue 15 §7)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import MemberFactory
from matching.models import Agreement, Application, Role
from matching.tests.factories import ActiveMatchFactory, CycleFactory

pytestmark = pytest.mark.django_db


def test_a_mentoring_question_of_20000_characters_is_refused_with_what_she_typed_kept(client):
    cycle = CycleFactory()
    member = MemberFactory()
    client.force_login(member)
    question = "Ik wil groeien. " * 1250  # 20,000 characters

    response = client.post(
        reverse("matching:apply", kwargs={"cycle_pk": cycle.pk, "role": Role.MENTEE}),
        {"mentoring_question": question, "meeting_preference": "both"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "ten hoogste 2000 tekens" in content
    assert "Ik wil groeien. Ik wil groeien." in content  # her text is still in the form
    assert not Application.objects.filter(member=member).exists()


def test_the_model_refuses_over_long_text_whatever_form_calls_in():
    from django.core.exceptions import ValidationError

    application = Application(cycle=CycleFactory(), member=MemberFactory(), role=Role.MENTEE)
    application.mentoring_question = "x" * 2001

    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        application.full_clean()
    assert (
        "Gebruik hier ten hoogste 2000 tekens; deze tekst heeft er 2001."
        in refused.value.message_dict["mentoring_question"]
    )


def _agreement_post(match, evaluation_date):
    return {
        "mission": "Groeien naar een rol als partner",
        "meeting_mode": "both",
        "meeting_frequency": "eens per maand",
        "networking": "",
        "opportunities": "",
        "evaluation_date": evaluation_date.isoformat(),
    }


def test_the_renewal_moment_must_lie_within_the_pairs_term(client):
    match = ActiveMatchFactory(start_date=datetime.date(2027, 2, 13), planned_end=datetime.date(2028, 2, 13))
    client.force_login(match.mentee)

    response = client.post(
        reverse("matching:agreement_edit", kwargs={"pk": match.pk}), _agreement_post(match, datetime.date(2020, 1, 1))
    )

    assert response.status_code == 200
    assert "tussen 13 februari 2027 en 13 februari 2028" in response.content.decode()
    assert not Agreement.objects.filter(match=match, evaluation_date=datetime.date(2020, 1, 1)).exists()

    response = client.post(
        reverse("matching:agreement_edit", kwargs={"pk": match.pk}), _agreement_post(match, datetime.date(2028, 1, 13))
    )
    assert response.status_code == 302
    assert Agreement.objects.get(match=match).evaluation_date == datetime.date(2028, 1, 13)
