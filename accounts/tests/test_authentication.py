import re

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, ProfileFactory, UserFactory
from notifications.tests.mailbox import delivered

pytestmark = pytest.mark.django_db


def _link_in_last_mail(path_fragment: str) -> str:
    body = delivered()[-1].body
    # Links are built on SITE_URL, whichever host the request named.
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_fragment) + r"\S*)", body)
    assert match, body
    return match.group(1)


def test_sign_up_requires_email_verification_then_logs_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Anna de Boer",
            "email": "anna@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="anna@example.org")
    assert user.full_name == "Anna de Boer"
    # Mandatory verification: no session before the link is followed.
    assert client.get(reverse("dashboard")).status_code == 302

    confirm_path = _link_in_last_mail("/account/confirm-email/")
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)

    assert response.status_code == 302
    # Logged in now, and led to the programme profile step before anything else.
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:profile_edit"))
    assert user.emailaddress_set.get().verified


def test_sign_up_with_mismatched_passwords_keeps_what_was_typed(client):
    response = client.post(
        reverse("account_signup"),
        {"full_name": "Anna de Boer", "email": "anna@example.org", "password1": PASSWORD, "password2": "iets anders"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Anna de Boer"' in content
    assert 'value="anna@example.org"' in content
    assert not User.objects.filter(email="anna@example.org").exists()


def test_sign_up_with_a_taken_email_does_not_reveal_the_account(client):
    UserFactory(email="bestaand@example.org")

    response = client.post(
        reverse("account_signup"),
        {"full_name": "Iemand", "email": "bestaand@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )

    # Enumeration prevention: same response as a fresh sign-up; the owner gets a mail instead.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="bestaand@example.org").count() == 1


def test_login_and_logout(client):
    ProfileFactory(user__email="lid@example.org")

    response = client.post(reverse("account_login"), {"login": "lid@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200

    client.post(reverse("account_logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_login_with_a_wrong_password_shows_a_dutch_message(client):
    UserFactory(email="lid@example.org")

    response = client.post(reverse("account_login"), {"login": "lid@example.org", "password": "fout"})

    assert response.status_code == 200
    assert "e-mailadres en/of wachtwoord is niet correct" in response.content.decode()


def test_repeated_failed_logins_lock_the_account_for_a_while(client):
    UserFactory(email="lid@example.org")
    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": "lid@example.org", "password": "fout"})

    # Even the right password is refused now: guessing has been slowed down.
    response = client.post(reverse("account_login"), {"login": "lid@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert "Te veel inlogpogingen" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_reset_through_the_mailed_link(client):
    user = UserFactory(email="vergeten@example.org")

    client.post(reverse("account_reset_password"), {"email": "vergeten@example.org"})
    reset_path = _link_in_last_mail("/account/password/reset/key/")
    response = client.get(reset_path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    response = client.post(form_path, {"password1": "nieuw-wachtwoord-2026", "password2": "nieuw-wachtwoord-2026"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("nieuw-wachtwoord-2026")


def test_password_reset_for_an_unknown_address_looks_the_same(client):
    response = client.post(reverse("account_reset_password"), {"email": "onbekend@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
