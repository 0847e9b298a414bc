"""Walk the site as a visitor would, in Chromium, and scan it with axe-core."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts import demo
from accounts.tests.factories import browser_second_step
from core.mfa import DEMO_TOTP_SECRET, totp_activate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_switches_language_and_the_coordinator_logs_in(live_server, page):
    members = demo.load()
    totp_activate(user=members["coordinator"], secret=DEMO_TOTP_SECRET)  # as load_demo_data does

    page.goto(live_server.url)
    # Chromium asks for English, the site still opens in Dutch.
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Het mentorprogramma van het NOB Vrouwennetwerk")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The mentor programme of the NOB Women's Network")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="Inloggen").click()
    page.get_by_label("E-mail").fill("coordinator@example.org")
    page.get_by_label("Wachtwoord").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    browser_second_step(page, DEMO_TOTP_SECRET)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom, Carla")
    page.get_by_role("link", name="Naar de coördinatie").click()
    expect(page).to_have_url(f"{live_server.url}/coordinatie/")


@pytest.mark.parametrize("path", ["/", "/account/login/", "/account/signup/", "/grensoverschrijdend-gedrag/"])
def test_public_pages_have_no_accessibility_violations(live_server, page, path):
    page.goto(live_server.url + path)

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()


def test_the_admin_and_the_coordination_page_have_no_accessibility_violations(live_server, page):
    # Issue 16 §2: the admin in the programme's colours stays axe-clean, breadcrumbs included.
    from accounts.tests.factories import PASSWORD, CoordinatorFactory, ProfileFactory
    from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory

    cycle = CycleFactory()
    MentorApplicationFactory(cycle=cycle)
    ApplicationFactory(cycle=cycle)
    profile = ProfileFactory()
    coordinator = CoordinatorFactory()
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("E-mail").fill(coordinator.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    browser_second_step(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")

    for path in (
        "/coordinatie/",
        "/admin/",
        "/admin/accounts/profile/",
        f"/admin/accounts/profile/{profile.pk}/change/",
        f"/admin/accounts/profile/{profile.pk}/verificatie/",
        "/admin/accounts/memberlistimport/add/",
        "/admin/matching/",
        f"/admin/matching/cycle/{cycle.pk}/matching/",
        "/admin/matching/firmgroup/add/",
    ):
        page.goto(live_server.url + path)
        if "/reauthenticate/" in page.url:  # the import asks for her password again first
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Bevestigen").click()
            expect(page).to_have_url(live_server.url + path)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{path}: {results.generate_report()}"
