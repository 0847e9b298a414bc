"""allauth's security notices (password, e-mail address, second step) reach her in the programme's words.

allauth's stock Dutch for these says "onmiddelijk", "IP adres" and "Aanmeldcode" (where the site says
"inloggen"); issue 15 §7 asks for our own wording in both languages, through the outbox like every mail.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import MemberFactory
from notifications.account_adapter import OutboxAccountAdapter
from notifications.emails.accounts import SECURITY_NOTICES
from notifications.tests.mailbox import delivered

pytestmark = pytest.mark.django_db

STOCK_DUTCH = ("onmiddelijk", "IP adres", "Aanmeldcode", "voorzorgsmaatregelen", "email adres", "Email adres")


@pytest.mark.parametrize("template", [*SECURITY_NOTICES, "account/email/login_code"])
def test_every_account_notice_is_in_our_dutch(template):
    member = MemberFactory(language="nl")
    context = {
        "user": member,
        "ip": "192.0.2.7",
        "user_agent": "Firefox",
        "from_email": "oud@example.org",
        "to_email": member.email,
        "deleted_email": "oud@example.org",
        "code": "ABC123",
    }

    OutboxAccountAdapter().send_mail(template, member.email, context)
    (message,) = delivered()

    text = f"{message.subject}\n{message.body}"
    assert not any(stock in text for stock in STOCK_DUTCH), text
    assert "mentorprogramma" in text.lower()
    if template == "account/email/login_code":
        assert "ABC123" in message.body and "inlogt" in message.body
    else:
        assert "192.0.2.7" in message.body and "nieuw wachtwoord" in message.body


def test_changing_her_password_tells_her_in_english_when_she_reads_english(client):
    member = MemberFactory(language="en")
    member.set_password("oud-wachtwoord-123")
    member.save()
    client.force_login(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # she reads the site in English

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "oud-wachtwoord-123",
            "password1": "Een-nieuw-wachtwoord-42",
            "password2": "Een-nieuw-wachtwoord-42",
        },
    )

    assert response.status_code == 302
    notice = next(message for message in delivered() if "password" in message.subject.lower())
    assert notice.subject == "Your password has been changed"
    assert "Your password was changed." in notice.body
