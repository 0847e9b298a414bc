"""The pair plans and logs their introductory meeting in Chromium (R8, R10)."""

import datetime
import re

import icalendar
import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from matching.tests.factories import ActiveMatchFactory
from meetings.tests.factories import MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user):
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def _log_out(page):
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()


def _open_pair_page(page):
    """From the overview to "Mijn mentorschap", the pair page the meetings panel lives on."""
    page.get_by_role("link", name="Naar je mentorschap").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn mentorschap")
    return page.locator(".meetings-panel")


def test_mentee_plans_the_introduction_and_the_mentor_marks_it_held(live_server, page):
    pair = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(days=7))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    # R8: the mentee takes the first step, from her pair page.
    _log_in(page, live_server, pair.mentee)
    panel = _open_pair_page(page)
    expect(panel.get_by_role("heading", name="Afspraken")).to_be_visible()
    expect(panel.get_by_text("0 van 2 afspraken gehouden")).to_be_visible()
    expect(panel.get_by_text("de eerste stap zet jij als mentee")).to_be_visible()
    assert Axe().run(page).violations_count == 0
    panel.get_by_role("link", name="Plan de kennismakingsafspraak").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan jullie kennismakingsafspraak")
    expect(page.get_by_label("Dit is onze kennismakingsafspraak")).to_be_checked()
    page.get_by_label("Datum").fill(tomorrow.isoformat())
    page.get_by_label("Begintijd").fill("10:00")
    page.get_by_label("Eindtijd").fill("11:00")
    page.get_by_label("Virtueel").check()
    page.get_by_label("Videolink").fill("https://teams.example.org/kennismaking")
    assert Axe().run(page).violations_count == 0
    page.get_by_role("button", name="Afspraak plannen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kennismakingsafspraak")
    assert Axe().run(page).violations_count == 0
    # The breadcrumb leads back to the pair page, which now shows the planned meeting.
    page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Mijn mentorschap").click()
    expect(page.locator(".meetings-panel").get_by_text("kennismakingsafspraak")).to_be_visible()
    _log_out(page)

    # The mentor sees it on the pair page: the next meeting, the introductory one.
    _log_in(page, live_server, pair.mentor)
    panel = _open_pair_page(page)
    expect(panel.get_by_text("0 van 2 afspraken gehouden")).to_be_visible()
    expect(panel.get_by_text("kennismakingsafspraak")).to_be_visible()
    expect(panel.get_by_role("link", name=re.compile("10:00"))).to_be_visible()

    # The next day, once the meeting has started, she logs it as held.
    started = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(10, 30)))
    with time_machine.travel(started, tick=True):
        page.reload()
        panel = page.locator(".meetings-panel")
        expect(panel.get_by_text("Heeft deze afspraak plaatsgevonden?")).to_be_visible()
        panel.get_by_role("link", name=re.compile("10:00")).first.click()
        page.get_by_role("button", name="Markeren als gehouden").click()
        expect(page.get_by_text("Gemarkeerd als gehouden")).to_be_visible()
        page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Mijn mentorschap").click()

        # R10: the pair page shows one of the two meetings the programme asks for.
        panel = page.locator(".meetings-panel")
        expect(panel.get_by_text("1 van 2 afspraken gehouden")).to_be_visible()
        expect(panel.get_by_text("nog geen gehouden")).to_have_count(0)
        expect(panel.get_by_text("Zullen jullie een datum kiezen voor de volgende?")).to_be_visible()
        expect(panel.get_by_text("Heeft deze afspraak plaatsgevonden?")).to_have_count(0)
        assert Axe().run(page).violations_count == 0

        # The meetings list says the same, with the meeting marked as held.
        panel.get_by_role("link", name="Alle afspraken van jullie mentorschap").click()
        expect(page.get_by_text("1 van 2 afspraken gehouden")).to_be_visible()
        expect(page.get_by_text("Gehouden", exact=True)).to_be_visible()


def test_member_creates_her_calendar_link_and_a_calendar_app_can_fetch_it(live_server, page):
    pair = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(days=7))
    MeetingFactory(match=pair, location="Kantoor Utrecht")

    _log_in(page, live_server, pair.mentor)
    page.get_by_role("link", name="Zet je afspraken in je eigen agenda").click()
    page.get_by_role("button", name="Maak mijn agendalink").click()
    expect(page.get_by_text("Je agendalink staat klaar.")).to_be_visible()
    assert Axe().run(page).violations_count == 0

    feed_url = page.get_by_label("Je persoonlijke agendalink").input_value()
    feed = page.context.request.get(feed_url)
    assert feed.headers["content-type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(event["summary"]) == f"Mentorafspraak met {pair.mentee}"

    page.get_by_role("button", name="Link uitzetten").click()
    assert page.context.request.get(feed_url).status == 404
