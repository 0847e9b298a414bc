"""A coordinator matches a mentee in the admin; the mentee then sees her mentor's details (R8)."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import (
    PASSWORD,
    CoordinatorFactory,
    ExpertiseFactory,
    MemberFactory,
    browser_second_step,
)
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email, *, staff=False):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if staff:
        browser_second_step(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def test_a_coordinator_matches_a_mentee_who_then_sees_her_mentors_contact_details(live_server, page):
    cycle = CycleFactory(name="2027")
    btw = ExpertiseFactory(name="Btw")
    mentor = MemberFactory(full_name="Marieke de Vries", email="marieke@example.org")
    mentor.profile.phone = "06-11122233"
    mentor.profile.save()
    MentorApplicationFactory(cycle=cycle, member=mentor).topics.set([btw])
    mentee = MemberFactory(full_name="Lotte Bakker", email="lotte@example.org")
    ApplicationFactory(cycle=cycle, member=mentee).topics.set([btw])
    coordinator = CoordinatorFactory(full_name="Carla Coördinator")

    log_in(page, live_server, coordinator.email, staff=True)
    page.goto(f"{live_server.url}/admin/matching/cycle/")
    page.get_by_role("link", name="Koppelscherm").click()
    expect(page.get_by_role("row", name="Lotte Bakker")).to_contain_text("beiden Btw")
    # Applications are still open: she matches only after saying she wants to (issue 15 §1).
    expect(page.get_by_role("button", name="Koppelen: Lotte Bakker aan Marieke de Vries")).to_have_count(0)
    page.get_by_role("link", name="Ik wil nu al koppelen, voordat de aanmelding sluit").click()
    page.get_by_role("button", name="Koppelen: Lotte Bakker aan Marieke de Vries").click()
    page.get_by_role("button", name="Bevestigen").click()  # issue 28 §4: Koppelen asks first
    expect(page.locator(".messagelist")).to_contain_text("Lotte Bakker is gekoppeld aan Marieke de Vries")
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, live_server, mentee.email)
    page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="Mijn mentorschap").click()
    page.get_by_role("link", name="Openen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn mentorschap")
    expect(page.get_by_text("marieke@example.org")).to_be_visible()
    expect(page.get_by_text("06-11122233")).to_be_visible()
    expect(page.get_by_text("Jij neemt het eerste contact op")).to_be_visible()


def test_the_members_matching_pages_have_no_accessibility_violations(live_server, page):
    from axe_playwright_python.sync_playwright import Axe

    from matching import agreements
    from matching.tests.factories import ActiveMatchFactory

    match = ActiveMatchFactory()
    agreements.agreement_ensure(match=match)
    open_cycle = CycleFactory()
    log_in(page, live_server, match.mentee.email)

    for path in (
        "/overzicht/",
        "/programma/",
        f"/programma/mentorschap/{match.pk}/",
        f"/programma/mentorschap/{match.pk}/afspraken/",
        f"/programma/mentorschap/{match.pk}/verlengen/",
        f"/programma/aanmelden/{open_cycle.pk}/mentee/",
    ):
        page.goto(live_server.url + path)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{path}: {results.generate_report()}"
