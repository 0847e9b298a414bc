"""Issue 28 §6: on a 390 px phone no page is wider than the screen; tables scroll inside their box."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.tests.factories import PASSWORD, CoordinatorFactory, browser_second_step
from evaluations import services as evaluation_services
from evaluations.tests.factories import EvaluationRoundFactory, invitation_for_new_pair
from matching import services as matching_services
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory, CycleFactory
from matching.tests.test_browser import log_in
from meetings.tests.factories import HeldMeetingFactory, MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PUBLIC_PAGES = [
    "/",
    "/account/login/",
    "/account/signup/",
    "/account/password/reset/",
    "/grensoverschrijdend-gedrag/",
    "/vertrouwelijkheid/",
    "/privacyverklaring/",
    "/bestaat-niet/",
]


def _too_wide(page) -> list[str]:
    """The page's own width beyond the viewport, and the elements that stick out."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            return [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width + 1)
                .filter(el => !el.closest('.visually-hidden, .visually-hidden-focusable'))
                .slice(0, 5)
                .map(el => el.tagName + '.' + el.className + ': ' + (el.textContent || '').trim().slice(0, 60));
        }"""
    )


def _assert_fits(page, live_server, paths):
    wide = {}
    for path in paths:
        page.goto(live_server.url + path)
        if found := _too_wide(page):
            wide[path] = found
    assert wide == {}


def test_public_pages_fit_a_phone(live_server, page):
    page.set_viewport_size(PHONE)

    _assert_fits(page, live_server, PUBLIC_PAGES)


def test_every_member_page_fits_a_phone(live_server, page):
    evaluation_round = EvaluationRoundFactory()
    evaluation_services.round_add_default_questions(round=evaluation_round)
    invitation = invitation_for_new_pair(evaluation_round)
    match = Match.objects.get(mentee=invitation.user)
    matching_services.agreement_ensure(match=match)
    planned = MeetingFactory(match=match)
    HeldMeetingFactory(match=match)
    open_cycle = CycleFactory()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, invitation.user.email)

    _assert_fits(
        page,
        live_server,
        [
            "/overzicht/",
            "/profiel/",
            "/profiel/wijzigen/",
            "/mijn-gegevens/",
            "/mijn-gegevens/account-verwijderen/",
            "/programma/",
            f"/programma/aanmelden/{open_cycle.pk}/mentee/",
            f"/programma/mentorschap/{match.pk}/",
            f"/programma/partner/{match.mentor.pk}/",
            f"/programma/mentorschap/{match.pk}/afspraken/",
            f"/programma/mentorschap/{match.pk}/verlengen/",
            f"/programma/mentorschap/{match.pk}/contact/",
            f"/programma/mentorschap/{match.pk}/past-het/",
            f"/afspraken/paar/{match.pk}/",
            f"/afspraken/paar/{match.pk}/plannen/",
            f"/afspraken/{planned.pk}/",
            f"/afspraken/{planned.pk}/wijzigen/",
            f"/afspraken/{planned.pk}/annuleren/",
            "/afspraken/agenda/",
            invitation.get_absolute_url(),
            "/account/email/",
            "/account/password/change/",
            "/account/2fa/",
        ],
    )


def test_the_cockpit_fits_a_phone_its_tables_scroll_inside_their_box(live_server, page):
    cycle = CycleFactory(name="Cyclus met een heel lange naam 2027–2028")
    ActiveMatchFactory(cycle=cycle)
    EvaluationRoundFactory(cycle=cycle, name="Tussentijdse evaluatie met een lange naam")
    coordinator = CoordinatorFactory()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("E-mail").fill(coordinator.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    browser_second_step(page)

    _assert_fits(page, live_server, [f"/coordinatie/?cyclus={cycle.pk}", "/coordinatie/"])
    # A box that scrolls must be reachable by keyboard too.
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_long_status_badge_wraps_instead_of_widening_the_page(live_server, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    width = page.evaluate(
        """() => {
            const badge = document.createElement('span');
            badge.className = 'badge text-bg-secondary';
            badge.textContent = 'wacht op verificatie van het lidmaatschap door de coördinatoren van het programma';
            document.querySelector('main').prepend(badge);
            return [badge.getBoundingClientRect().right, document.documentElement.scrollWidth];
        }"""
    )

    assert width[0] <= PHONE["width"] and width[1] <= PHONE["width"]
