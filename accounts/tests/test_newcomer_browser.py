"""The newcomer's path in Chromium: sign up, confirm, profile, roles, verification."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Profile
from accounts.tests.factories import PASSWORD, CoordinatorFactory, ExpertiseFactory, browser_second_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _confirmation_link() -> str:
    # The live server runs in this process with the locmem mail backend.
    match = re.search(r"https?://\S+/account/confirm-email/\S+", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


def _assert_accessible(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_newcomer_signs_up_completes_her_profile_and_is_verified(live_server, page, browser, settings):
    settings.SITE_URL = live_server.url  # links in e-mail are built on the site's configured address
    ExpertiseFactory(name="Btw", name_en="VAT")
    ExpertiseFactory(name="Vennootschapsbelasting")

    page.goto(live_server.url + "/account/signup/")
    page.get_by_label("Volledige naam").fill("Anna de Boer")
    page.get_by_label("E-mailadres").fill("anna@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Wachtwoord (bevestigen)").fill(PASSWORD)
    page.get_by_role("button", name="Registreren").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(_confirmation_link())
    page.get_by_role("button", name="Bevestigen").click()

    # Logged in, and led to the profile step first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Vertel ons wie je bent")
    expect(page.get_by_label("Volledige naam")).to_have_value("Anna de Boer")
    _assert_accessible(page)
    page.get_by_label("Ik bevestig dat ik een vrouwelijk lid").check()
    page.get_by_label("NOB-lidnummer").fill("123456")
    page.get_by_role("radio", name="lid", exact=True).check()
    page.get_by_label("Organisatie").fill("Fiscaal Advies Utrecht")
    page.get_by_label("Functie").fill("Senior belastingadviseur")
    # Exactly five years: not yet a mentor (R3).
    page.get_by_label("Jaar waarin je werkzame loopbaan begon").fill(str(timezone.localdate().year - 5))
    page.get_by_label("Btw").check()
    page.get_by_label("Regio").select_option(label="Utrecht")
    page.get_by_label("virtueel", exact=True).check()
    page.get_by_label("Mentee: ik wil graag een mentor").check()
    page.get_by_label("Mentor: ik wil graag een mentee begeleiden").check()
    page.get_by_role("button", name="Mijn profiel opslaan").click()

    expect(page.get_by_text("Een mentor heeft meer dan 5 jaar werkervaring. Jij hebt er 5")).to_be_visible()
    expect(page.get_by_label("Organisatie")).to_have_value("Fiscaal Advies Utrecht")
    page.get_by_label("Mentor: ik wil graag een mentee begeleiden").uncheck()
    page.get_by_role("button", name="Mijn profiel opslaan").click()

    expect(page.get_by_text("Dank je wel! Je programmaprofiel is compleet.")).to_be_visible()
    expect(page.get_by_text("Wacht op verificatie", exact=True)).to_be_visible()
    page.get_by_role("link", name="Mijn profiel", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn profiel")
    expect(page.get_by_text("Wacht op verificatie", exact=True)).to_be_visible()
    expect(page.get_by_text("Mentee: ik wil graag een mentor")).to_be_visible()
    _assert_accessible(page)

    # A coordinator verifies her in the admin, in her own browser.
    CoordinatorFactory(email="carla@example.org", full_name="Carla Coördinator")
    profile = Profile.objects.get(user__email="anna@example.org")
    coordinator_page = browser.new_context(locale="en-GB").new_page()
    coordinator_page.goto(live_server.url + "/account/login/")
    coordinator_page.get_by_label("E-mail").fill("carla@example.org")
    coordinator_page.locator("#id_password").fill(PASSWORD)
    coordinator_page.get_by_role("button", name="Inloggen").click()
    browser_second_step(coordinator_page)
    coordinator_page.goto(f"{live_server.url}/admin/accounts/profile/{profile.pk}/verificatie/")
    coordinator_page.get_by_label("Verifiëren: zij is lid van de NOB").check()
    coordinator_page.get_by_role("button", name="Besluit opslaan").click()
    expect(coordinator_page.get_by_text("Anna de Boer is geverifieerd.")).to_be_visible()
    coordinator_page.context.close()

    page.reload()
    expect(page.get_by_text("Geverifieerd", exact=True)).to_be_visible()
    expect(page.get_by_text("Je NOB-lidmaatschap is geverifieerd.")).to_be_visible()
