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
        (Role.MENTEE, {"mentoring_question": "x" * 2001, "meeting_preference": "both"}),
        (Role.MENTOR, {"capacity": "9", "meeting_preference": "both", "availability": "x" * 1001}),
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


# --- The database's last line of defence speaks Dutch too -----------------------------------


def _constraints_that_would_name_themselves():
    """Check constraints and conditional unique constraints: without a message of ours Django says
    "Beperking ‘<name>’ is geschonden", naming the rule instead of the problem."""
    from django.apps import apps
    from django.db.models import CheckConstraint, UniqueConstraint

    for app_label in ("accounts", "matching", "meetings", "evaluations", "notifications"):
        for model in apps.get_app_config(app_label).get_models():
            for constraint in model._meta.constraints:
                if isinstance(constraint, CheckConstraint) or (
                    isinstance(constraint, UniqueConstraint) and constraint.condition is not None
                ):
                    yield pytest.param(model, constraint, id=constraint.name)


@pytest.mark.parametrize(("model", "constraint"), list(_constraints_that_would_name_themselves()))
def test_every_database_rule_explains_itself_in_dutch(model, constraint):
    from django.utils import translation

    with translation.override("nl"):
        message = str(constraint.get_violation_error_message())

    assert constraint.name not in message and "Beperking" not in message and "geschonden" not in message
    _assert_dutch([message])


def test_an_evaluation_closing_before_it_opens_is_refused_in_plain_dutch_in_the_admin(client):

    from core.mfa import DEMO_TOTP_SECRET, totp_activate
    from evaluations.models import EvaluationRound

    coordinator = UserFactory(is_staff=True, is_superuser=True)
    totp_activate(user=coordinator, secret=DEMO_TOTP_SECRET)
    client.force_login(coordinator)
    cycle = CycleFactory()
    response = client.post(
        reverse("admin:evaluations_evaluationround_add"),
        {
            "cycle": cycle.pk,
            "name": "Tussenevaluatie",
            "kind": "interim",
            "audience": "both",
            "opens_on": "2027-05-01",
            "closes_on": "2027-04-01",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200 and not EvaluationRound.objects.exists()
    assert "Beperking" not in page and "round_closes_after_opening" not in page
    assert "kan niet sluiten voordat ze opent" in page
