"""Issue 28 §4 in the browser: Koppelen → Bevestigen → Koppeling ongedaan maken, the new pages accessible."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching.models import Match
from matching.tests.factories import ApplicationFactory, MatchingCycleFactory, MentorApplicationFactory
from matching.tests.test_browser import log_in
from notifications.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_coordinator_matches_confirms_and_undoes_the_pair_within_the_hour(live_server, page):
    cycle = MatchingCycleFactory(name="2027")
    MentorApplicationFactory(cycle=cycle, member=MemberFactory(full_name="Marieke de Vries"))
    ApplicationFactory(cycle=cycle, member=MemberFactory(full_name="Lotte Bakker"))
    coordinator = CoordinatorFactory()
    log_in(page, live_server, coordinator.email, staff=True)

    page.goto(f"{live_server.url}/admin/matching/cycle/{cycle.pk}/matching/")
    page.get_by_role("button", name="Koppelen: Lotte Bakker aan Marieke de Vries").click()

    # The confirmation: nothing made yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Koppelen: Lotte Bakker aan Marieke de Vries?")
    assert not Match.objects.exists()
    no_violations(page)
    page.get_by_role("link", name="Annuleren").click()
    expect(page.get_by_role("button", name="Koppelen: Lotte Bakker aan Marieke de Vries")).to_be_visible()
    assert not Match.objects.exists()

    page.get_by_role("button", name="Koppelen: Lotte Bakker aan Marieke de Vries").click()
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.locator(".messagelist")).to_contain_text("Lotte Bakker is gekoppeld aan Marieke de Vries")
    assert Match.objects.count() == 1

    page.locator(".messagelist").get_by_role("link", name="Koppeling ongedaan maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Koppeling ongedaan maken: Lotte Bakker en Marieke de Vries?"
    )
    no_violations(page)
    page.get_by_role("button", name="Koppeling ongedaan maken").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "De koppeling van Lotte Bakker en Marieke de Vries is ongedaan gemaakt"
    )
    # Back on the Koppelscherm, she can be matched again.
    expect(page.get_by_role("button", name="Koppelen: Lotte Bakker aan Marieke de Vries")).to_be_visible()
    assert not Match.objects.exists()
    assert set(OutboxMessage.objects.values_list("kind", flat=True)) <= {
        OutboxMessage.Kind.MATCH_MENTEE,
        OutboxMessage.Kind.MATCH_MENTOR,
        OutboxMessage.Kind.MATCH_UNDONE,
    }
