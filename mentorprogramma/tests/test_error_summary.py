"""Every member form says at the top what went wrong, with a link to each field (one shared summary)."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import MemberFactory
from matching.tests.factories import ActiveMatchFactory, CycleFactory

pytestmark = pytest.mark.django_db


def _summary(page: str) -> str:
    found = re.search(r'<div class="alert alert-danger error-summary" role="alert">(.*?)</div>', page, re.S)
    assert found, "no error summary at the top of the form"
    return found.group(1)


def _assert_summary_first_and_linked(page: str, *field_ids: str) -> None:
    summary = _summary(page)
    form_start = page.index('<form method="post" novalidate')
    # The summary opens the form: before any field of it.
    assert form_start < page.index("error-summary") < page.index(f'id="div_{field_ids[0]}"')
    for field_id in field_ids:
        assert f'href="#div_{field_id}"' in summary
        assert f'id="div_{field_id}"' in page  # the link lands on the field
    assert page.count("error-summary") == 1


def test_the_meeting_form_summarises_its_errors(client):
    pair = ActiveMatchFactory()
    client.force_login(pair.mentee)

    page = client.post(reverse("meetings:create", args=[pair.pk]), {"date": "geen-datum"}).content.decode()

    _assert_summary_first_and_linked(page, "id_date", "id_start_time")
    assert "Er is nog niets opgeslagen" in _summary(page)


def test_the_application_form_summarises_its_errors(client):
    cycle = CycleFactory()
    client.force_login(MemberFactory())

    url = reverse("matching:apply", kwargs={"cycle_pk": cycle.pk, "role": "mentee"})
    page = client.post(url, {"mentoring_question": ""}).content.decode()

    _assert_summary_first_and_linked(page, "id_mentoring_question")


def test_the_agreement_form_summarises_its_errors(client):
    pair = ActiveMatchFactory()
    client.force_login(pair.mentor)

    url = reverse("matching:agreement_edit", kwargs={"pk": pair.pk})
    page = client.post(url, {"mission": "Groeien", "evaluation_date": "niet-een-datum"}).content.decode()

    _assert_summary_first_and_linked(page, "id_evaluation_date")
    assert "Groeien" in page  # what she typed is kept


def test_a_form_level_error_is_in_the_summary_too(client):
    pair = ActiveMatchFactory()  # started recently: the renewal question is not open yet
    client.force_login(pair.mentee)

    page = client.post(reverse("matching:renewal", kwargs={"pk": pair.pk}), {"wants_to_continue": "yes"})

    assert "laatste maand" in _summary(page.content.decode())


def test_the_profile_form_uses_the_same_summary_with_its_own_opening(client):
    client.force_login(MemberFactory())

    page = client.post(reverse("accounts:profile_edit"), {}).content.decode()

    assert "Je profiel is nog niet opgeslagen" in _summary(page)
    _assert_summary_first_and_linked(page, "id_full_name", "id_membership_number")


def test_the_login_form_summarises_its_errors(client):
    page = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()

    summary = _summary(page)
    assert 'href="#div_id_login"' in summary and 'href="#div_id_password"' in summary
