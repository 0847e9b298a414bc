"""Issue 13 §4: coordinators need a second factor; sensitive actions ask for the password again."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    CoordinatorFactory,
    MemberFactory,
    ProfileFactory,
    reauthenticate,
)
from core.mfa import DEMO_TOTP_SECRET, current_totp_code
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory

pytestmark = pytest.mark.django_db


def _log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_coordinator_without_mfa_is_sent_to_set_it_up_before_any_admin_page(client):
    coordinator = CoordinatorFactory(second_factor=False)
    profile = ProfileFactory()
    client.force_login(coordinator)

    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_profile_changelist"),
        reverse("admin:accounts_profile_change", args=[profile.pk]),
        reverse("admin:accounts_profile_verification", args=[profile.pk]),
        reverse("admin:matching_cycle_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_index"), url

    page = client.get(reverse("mfa_index")).content.decode()
    assert "Als coördinator zie je de gegevens van alle leden" in page


def test_once_she_has_set_up_an_authenticator_app_the_admin_opens(client):
    coordinator = CoordinatorFactory(second_factor=False)
    client.force_login(coordinator)
    reauthenticate(client, coordinator)  # allauth asks for the password before adding a factor

    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})

    assert "data:image/svg+xml" in page  # the QR code to scan
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()
    # This session logged in with the password alone: it passes the second step once (issue 21 §4).
    second_step = client.get(reverse("admin:index"))
    assert second_step["Location"].startswith(reverse("mfa_reauthenticate"))
    client.post(second_step["Location"], {"code": current_totp_code(secret)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_logging_in_as_a_coordinator_asks_for_the_code_after_the_password(client):
    coordinator = CoordinatorFactory()

    response = _log_in(client, coordinator.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("admin:index")).status_code == 302  # not in yet

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get(reverse("dashboard")).status_code == 302

    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(TOTP_SECRET)})
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.fixture
def member_client(client):
    """A member, logged in and just past allauth's password check (adding a factor asks for it)."""
    client.member = MemberFactory()
    client.force_login(client.member)
    reauthenticate(client, client.member)
    return client


def test_members_are_not_forced_but_may_turn_mfa_on_in_dutch_and_english(member_client):
    client, member = member_client, member_client.member

    assert client.get(reverse("dashboard")).status_code == 200
    profile_page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("mfa_index") in profile_page
    assert "Twee-factor-authenticatie" in profile_page
    dutch = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "Authenticator-app" in dutch or "authenticator-app" in dutch
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "Authenticator App" in english or "authenticator app" in english

    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()


def test_security_keys_and_passkeys_are_offered(member_client):
    client = member_client

    assert client.get(reverse("mfa_add_webauthn")).status_code == 200
    page = client.get(reverse("mfa_index")).content.decode()
    assert reverse("mfa_add_webauthn") in page


def _import_url():
    return reverse("admin:accounts_memberlistimport_add")


def _results_csv_url():
    from evaluations.tests.factories import EvaluationRoundFactory

    return reverse("admin:evaluations_evaluationround_results_csv", args=[EvaluationRoundFactory().pk])


@pytest.mark.parametrize("make_url", [_import_url, _results_csv_url], ids=["member-list-import", "results-csv"])
def test_the_import_and_the_results_export_ask_for_the_password_again(client, make_url):
    coordinator = CoordinatorFactory()
    url = make_url()
    client.force_login(coordinator)

    response = client.get(url)
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]

    reauthenticate(client, coordinator)
    assert client.get(url).status_code == 200


def test_starting_a_new_term_asks_for_the_password_again_then_carries_on(client):
    coordinator = CoordinatorFactory()
    match = ActiveMatchFactory()
    client.force_login(coordinator)
    changelist = reverse("admin:matching_match_changelist")
    action = {"action": "renew_matches", "_selected_action": [match.pk]}

    response = client.post(changelist, action)

    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert Match.objects.count() == 1  # nothing happened yet
    reauthenticate(client, coordinator)
    assert client.post(changelist, action).status_code in (200, 302)


def test_the_reauthentication_page_takes_her_password(client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    response = client.get(reverse("admin:accounts_memberlistimport_add"))
    reauth_url = response["Location"]

    page = client.get(reauth_url)
    assert page.status_code == 200
    if "code" in page.context["form"].fields:
        done = client.post(reauth_url, {"code": current_totp_code(TOTP_SECRET)})
    else:
        done = client.post(reauth_url, {"password": PASSWORD})

    assert done.status_code == 302
    assert client.get(reverse("admin:accounts_memberlistimport_add")).status_code == 200


def test_make_coordinator_says_she_will_set_up_mfa(capsys):
    member = MemberFactory()

    call_command("make_coordinator", member.email)

    assert "two-factor authentication" in capsys.readouterr().out


def test_the_demo_coordinator_logs_in_with_the_printed_secret(client, capsys):
    call_command("load_demo_data")
    output = capsys.readouterr().out
    assert DEMO_TOTP_SECRET in output

    _log_in(client, "coordinator@example.org", DEMO_PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(DEMO_TOTP_SECRET)})

    assert client.get(reverse("admin:index")).status_code == 200


def test_the_demo_code_command_is_refused_in_production(settings, capsys):
    call_command("demo_totp_code")
    assert re.fullmatch(r"\d{6}", capsys.readouterr().out.strip())

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo_totp_code")
