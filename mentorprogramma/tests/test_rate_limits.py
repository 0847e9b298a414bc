"""Issue 13 §6: rate limits count per visitor behind the production proxy, and sign-up is limited.

allauth counts per client address. Without a trusted proxy it takes REMOTE_ADDR, which behind a
proxy is the proxy for everyone: ten bad logins by anyone then locked out every member.
"""

import os
import subprocess
import sys

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from mentorprogramma.tests.test_production_settings import BASE_DIR

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"  # what REMOTE_ADDR is behind the proxy, for every visitor
ATTACKER, MEMBER = "203.0.113.66", "198.51.100.7"


def _through_proxy(client, address, data):
    # The proxy appends the address it saw to whatever the client sent.
    return client.post(reverse("account_login"), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {address}")


def _ten_bad_logins_from_the_attacker(client):
    for attempt in range(10):
        # Ten different addresses typed, so only the per-address limit counts.
        _through_proxy(client, ATTACKER, {"login": f"gok{attempt}@example.org", "password": "fout"})


def test_behind_one_trusted_proxy_an_attackers_failed_logins_do_not_lock_out_a_member(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    member = UserFactory()
    _ten_bad_logins_from_the_attacker(client)

    attacker = _through_proxy(client, ATTACKER, {"login": member.email, "password": PASSWORD})
    client.logout()
    response = _through_proxy(client, MEMBER, {"login": member.email, "password": PASSWORD})

    assert "Te veel" in attacker.content.decode()  # the attacker's own address is slowed down
    assert response.status_code == 302  # the member behind the same proxy logs in


def test_without_a_trusted_proxy_the_address_is_remote_addr_and_a_forged_header_changes_nothing(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    member = UserFactory()
    _ten_bad_logins_from_the_attacker(client)

    # REMOTE_ADDR is all that counts: a made-up X-Forwarded-For does not buy a fresh limit.
    response = _through_proxy(client, MEMBER, {"login": member.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Te veel" in response.content.decode()


def _sign_up(client, number):
    return client.post(
        reverse("account_signup"),
        {
            "full_name": f"Lid {number}",
            "email": f"nieuw{number}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        REMOTE_ADDR=MEMBER,
    )


def test_one_address_cannot_send_more_than_ten_confirmation_mails_an_hour(client, django_capture_on_commit_callbacks):
    # Confirmation mails are outbox rows delivered after the commit (issue 10): run those callbacks.
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_sign_up(client, number).status_code for number in range(12)]

    assert statuses[:10] == [302] * 10
    assert statuses[10:] == [429, 429]
    assert len(mail.outbox) == 10


@pytest.mark.parametrize(("value", "expected"), [(None, "0"), ("1", "1")])
def test_the_trusted_proxy_count_comes_from_the_environment(value, expected):
    env = {key: val for key, val in os.environ.items() if key != "ALLAUTH_TRUSTED_PROXY_COUNT"}
    if value is not None:
        env["ALLAUTH_TRUSTED_PROXY_COUNT"] = value
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr
