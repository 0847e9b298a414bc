"""Issue 25 §4 and §8 in the browser: a matched mentor makes room for one more mentee, and a mentee who was not
matched takes her application to the next cycle; both new pages pass axe."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching import services
from matching.models import Application, Cycle
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory, confirm_pair
from matching.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_matched_mentor_makes_room_for_one_more_mentee(live_server, page):
    cycle = CycleFactory(name="2027")
    mentor = MentorApplicationFactory(cycle=cycle, member=MemberFactory(full_name="Marieke de Vries"), capacity=1)
    mentee = ApplicationFactory(cycle=cycle, member=MemberFactory(full_name="Lotte Bakker"))
    confirm_pair(mentor, mentee, by=CoordinatorFactory())

    log_in(page, live_server, mentor.member.email)
    page.goto(f"{live_server.url}/programma/")
    expect(page.get_by_role("link", name="Stoppen met je mentorschap met Lotte Bakker")).to_be_visible()
    page.get_by_role("link", name="Plekken en pauze").click()
    _no_violations(page)
    page.get_by_label("Hoeveel mentees kun je begeleiden?").select_option("2")
    page.get_by_role("button", name="Opslaan").click()

    expect(page.get_by_text("Je plekken zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_text("Gekoppeld, met nog een plek vrij")).to_be_visible()
    mentor.refresh_from_db()
    assert mentor.capacity == 2


def test_a_mentee_who_was_not_matched_takes_her_application_to_the_next_cycle(live_server, page):
    today = timezone.localdate()
    past = CycleFactory(
        name="2027",
        status=Cycle.Status.MATCHING,
        applications_open=today - datetime.timedelta(days=60),
        applications_close=today - datetime.timedelta(days=30),
        planned_start=today + datetime.timedelta(days=5),
    )
    mentee = ApplicationFactory(cycle=past, mentoring_question="Hoe word ik zichtbaarder binnen mijn kantoor?")
    services.cycle_matching_close(cycle=past, by=CoordinatorFactory())
    following = CycleFactory(name="2028", planned_start=today + datetime.timedelta(days=365))

    log_in(page, live_server, mentee.member.email)
    page.goto(f"{live_server.url}/programma/")
    page.get_by_role("link", name="Meenemen naar cyclus 2028").click()
    expect(page.get_by_text("Hoe word ik zichtbaarder binnen mijn kantoor?")).to_be_visible()
    _no_violations(page)
    page.get_by_role("button", name="Ja, aanmelden voor 2028").click()

    expect(page.get_by_text("Je aanmelding geldt nu voor 2028.")).to_be_visible()
    assert Application.objects.filter(cycle=following, member=mentee.member).exists()
