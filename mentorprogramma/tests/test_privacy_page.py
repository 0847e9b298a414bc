"""The privacy statement: for members, in both languages, with the periods retention really uses."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_privacy_statement_reads_its_periods_from_settings(client, settings):
    settings.RETENTION_INACTIVE_YEARS = 3
    settings.RETENTION_NOTES_MONTHS = 18
    settings.RETENTION_OUTBOX_DAYS = 60
    settings.PROGRAMME_CONTACT_EMAIL = "mentor@example.org"
    page = client.get(reverse("privacy"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Privacyverklaring" in html
    assert "3 jaar niet meegedaan" in html
    assert "tot 18 maanden na het einde" in html
    assert "na 60 dagen" in html
    assert 'href="mailto:mentor@example.org"' in html  # R15


def test_the_privacy_statement_is_in_english_too(client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Privacy statement" in html
    assert "Your rights" in html


def test_the_footer_and_the_sign_up_form_link_to_it(client):
    privacy = reverse("privacy")
    assert f'href="{privacy}"' in client.get(reverse("home")).content.decode()
    assert f'href="{privacy}"' in client.get(reverse("account_signup")).content.decode()


def test_the_privacy_statement_opens_for_a_member_without_a_profile(client):
    """Issue 21 §9: she was sent to the profile step instead of reading what happens to her data."""
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())  # signed up and confirmed, no programme profile yet

    response = client.get(reverse("privacy"))

    assert response.status_code == 200
    assert "pages/privacy.html" in [template.name for template in response.templates]
