"""Every form a member fills in answers bad input in Dutch: no English and no rule names (issue 15 §7).

Each case posts what a person might really type wrong and reads every error the
page shows. A message that comes from Django or allauth without Dutch of ours
fails here, with the text that leaked.
"""

import re

import pytest
from django.urls import reverse

from accounts.tests.conftest import profile_data  # noqa: F401  (the profile step's valid input)
from accounts.tests.factories import MemberFactory, UserFactory
from matching.models import Role
from matching.tests.factories import ActiveMatchFactory, CycleFactory

pytestmark = pytest.mark.django_db

# Words that appear in Django's and allauth's English messages and never in our Dutch ones.
ENGLISH = re.compile(
    r"\b(the|this|that|must|please|enter|valid|ensure|characters|password|required|select|choice|should|"
    r"cannot|your|you|constraint|violated)\b",
    re.IGNORECASE,
)


def _errors(response) -> list[str]:
    assert response.status_code == 200, "the form was accepted; the case no longer tests an error"
    form = response.context["form"]
    messages = [message for messages in form.errors.values() for message in messages]
    assert messages
    return messages


def _assert_dutch(messages):
    leaked = [message for message in messages if ENGLISH.search(message) or re.search(r"[a-z]+_[a-z_]+", message)]
    assert not leaked, leaked


@pytest.mark.parametrize(
    "data",
    [
        {"email": "geen-adres", "password1": "kort", "password2": "anders"},
        {"email": "anna@example.org", "password1": "12345678901", "password2": "12345678901"},
        {"email": "anna@example.org", "password1": "anna@example.org", "password2": "anna@example.org"},
        {"email": "anna@example.org", "password1": "wachtwoord", "password2": "wachtwoord"},
        {},
    ],
)
def test_sign_up(client, data):
    _assert_dutch(_errors(client.post(reverse("account_signup"), data)))


def test_log_in_and_password_reset(client):
    _assert_dutch(_errors(client.post(reverse("account_login"), {"login": "anna@example.org", "password": "x"})))
    _assert_dutch(_errors(client.post(reverse("account_login"), {})))
    _assert_dutch(_errors(client.post(reverse("account_reset_password"), {"email": "geen-adres"})))


def test_profile(client, profile_data):  # noqa: F811  (the fixture imported above)
    client.force_login(UserFactory())
    data = profile_data(
        membership_number="12",
        career_start_year="tweeduizend",
        phone="bel me maar",
        linkedin_url="geen-url",
        region="mars",
        introduction="x" * 3000,
    )
    _assert_dutch(_errors(client.post(reverse("accounts:profile_edit"), data)))


@pytest.mark.parametrize(
    ("role", "data"),
    [
        (Role.MENTEE, {"mentoring_question": "", "meeting_preference": "geen"}),
        (Role.MENTEE, {"mentoring_question": "x" * 2001, "meeting_preference": "beide"}),
        (Role.MENTOR, {"capacity": "9", "meeting_preference": "beide", "availability": "x" * 1001}),
    ],
)
def test_application(client, role, data):
    member = MemberFactory()  # more than five years of experience (R3), so both roles are open
    client.force_login(member)
    response = client.post(reverse("matching:apply", kwargs={"cycle_pk": CycleFactory().pk, "role": role}), data)
    _assert_dutch(_errors(response))


def test_agreement_and_meeting(client):
    match = ActiveMatchFactory()
    client.force_login(match.mentee)

    agreement = {"mission": "x" * 2001, "meeting_mode": "nooit", "evaluation_date": "1-1-2020"}
    _assert_dutch(_errors(client.post(reverse("matching:agreement_edit", kwargs={"pk": match.pk}), agreement)))

    meeting = {"date": "morgen", "start_time": "25:00", "end_time": "", "mode": "telepathie", "video_url": "geen"}
    _assert_dutch(_errors(client.post(reverse("meetings:create", kwargs={"match_pk": match.pk}), meeting)))
