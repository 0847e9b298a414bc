import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_is_dutch_by_default_even_for_an_english_browser(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    content = response.content.decode()
    assert '<html lang="nl">' in content
    assert "Het mentorprogramma van het NOB Vrouwennetwerk" in content
    assert "Aanmelden voor het programma" in content


def test_language_switch_shows_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)

    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "The mentor programme of the NOB Women's Network" in content

    response = client.post(reverse("set_language"), {"language": "nl", "next": "/"}, follow=True)
    assert "Het mentorprogramma van het NOB Vrouwennetwerk" in response.content.decode()


def test_language_switch_refuses_an_unknown_language_and_stays_dutch(client):
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert '<html lang="nl">' in client.get("/").content.decode()


def test_language_switch_is_remembered_for_a_logged_in_member(client, django_user_model):
    from accounts.tests.factories import UserFactory

    member = UserFactory()
    client.force_login(member)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    member.refresh_from_db()
    assert member.language == "en"


def test_footer_shows_the_configurable_contact_address(client, settings):
    # R15: general questions go to the network's address, which is configurable.
    settings.PROGRAMME_CONTACT_EMAIL = "mentoring@example.org"

    content = client.get(reverse("home")).content.decode()

    assert 'href="mailto:mentoring@example.org"' in content


@pytest.mark.parametrize(
    ("name", "dutch_phrase"),
    [
        ("misconduct", "vertrouwenspersoon"),
        ("confidentiality", "Wat de coördinatoren zien"),
    ],
)
def test_information_pages_are_public_and_dutch(client, name, dutch_phrase):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert dutch_phrase in response.content.decode()


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_dashboard_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_login_goes_through_the_rate_limited_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_refuses_a_logged_in_member_who_is_not_staff(client):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())

    assert client.get("/admin/", follow=True).status_code == 403


def test_an_unknown_page_gives_a_friendly_dutch_404(client):
    response = client.get("/bestaat-niet/")

    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_a_request_in_english_does_not_leave_english_active_afterwards(client):
    from django.utils.translation import get_language, gettext

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.get(reverse("home"))

    # Work done later on this thread (a Celery task in-process, the next test) is Dutch again.
    assert get_language() == "nl"
    assert gettext("Log in") == "Inloggen"


@pytest.mark.parametrize("url_name", ["home", "account_login", "account_signup"])
def test_public_pages_name_an_icon_and_describe_themselves_for_search_engines(client, url_name):
    content = client.get(reverse(url_name)).content.decode()

    assert '<link rel="icon" href="/static/img/favicon.svg"' in content
    assert '<meta name="description" content="Het mentorprogramma van het NOB Vrouwennetwerk' in content


def test_favicon_ico_leads_to_the_icon_so_pages_without_one_log_no_error(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.ico"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_an_evaluation_link_opened_while_logged_out_says_why_she_must_log_in(client):
    followed = client.get("/evaluaties/een-persoonlijke-link/", follow=True)

    assert followed.redirect_chain[-1][0].startswith("/account/login/?next=/evaluaties/")
    content = followed.content.decode()
    assert "Log in om je evaluatie in te vullen" in content
    assert "Log in om je evaluatie in te vullen" not in client.get("/account/login/?next=/overzicht/").content.decode()
