import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, PEOPLE
from accounts.models import Profile, User
from core.mfa import DEMO_TOTP_SECRET, current_totp_code

pytestmark = pytest.mark.django_db


def test_demo_data_can_be_loaded_twice_without_duplicates(capsys):
    call_command("load_demo_data")
    call_command("load_demo_data")

    assert User.objects.count() == len(PEOPLE)
    assert Profile.objects.count() == len(PEOPLE) - 1
    output = capsys.readouterr().out
    assert "coordinator@example.org" in output
    assert DEMO_PASSWORD in output


def test_demo_coordinator_can_log_in_and_reach_the_admin(client):
    call_command("load_demo_data")

    client.post("/account/login/", {"login": "coordinator@example.org", "password": DEMO_PASSWORD})
    # The second step, with the code for the secret load_demo_data printed (core.mfa).
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(DEMO_TOTP_SECRET)})

    assert client.get("/admin/").status_code == 200
