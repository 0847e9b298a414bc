"""Issue 26: the mentee sets goals from her mentorvraag; her mentor notes progress when a meeting is held."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from goals.models import Goal
from goals.tests.factories import GoalFactory
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory
from meetings.models import Meeting
from meetings.tests.factories import HeldMeetingFactory
from meetings.tests.test_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENTORVRAAG = "Hoe word ik teamleider zonder mijn vakinhoud los te laten?"


def _no_axe_violations(page):
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()


def test_mentee_sets_goals_and_her_mentor_notes_progress_at_a_held_meeting(live_server, page):
    pair = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(days=30))
    pair.mentee_application = ApplicationFactory(member=pair.mentee, cycle=pair.cycle, mentoring_question=MENTORVRAAG)
    pair.save()
    meeting = HeldMeetingFactory(match=pair, status=Meeting.Status.PLANNED, status_changed_by=None)
    month = (timezone.localdate() + datetime.timedelta(days=120)).strftime("%Y-%m")

    # The mentee opens her pair page: the goals panel invites her to turn her question into goals.
    _log_in(page, live_server, pair.mentee)
    page.get_by_role("link", name="Naar je mentorschap").click()
    panel = page.locator(".goals-panel")
    expect(panel.get_by_role("heading", name="Jullie doelen")).to_be_visible()
    panel.get_by_role("link", name="Doelen opstellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Doel toevoegen")
    # Prefilled from her mentorvraag; she makes it her own.
    expect(page.get_by_label("Doel")).to_have_value(MENTORVRAAG)
    _no_axe_violations(page)
    page.get_by_label("Doel").fill("Binnen een jaar teamleider, met tijd voor vakinhoud")
    page.get_by_label("Volgende stap").fill("Met mijn manager een ontwikkelgesprek plannen")
    page.get_by_label("Streefmaand").fill(month)
    page.get_by_role("button", name="Doel opslaan").click()
    expect(page.get_by_text("Het doel is opgeslagen.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jullie doelen")
    # A second goal; sent without the goal itself it comes back with what she typed and a summary.
    page.get_by_role("link", name="Doel toevoegen").click()
    page.get_by_label("Volgende stap").fill("Een lezing aanbieden")
    page.get_by_role("button", name="Doel opslaan").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Volgende stap")).to_have_value("Een lezing aanbieden")
    _no_axe_violations(page)
    page.get_by_label("Doel").fill("Zichtbaarder worden op congressen")
    page.get_by_role("button", name="Doel opslaan").click()
    expect(page.locator("article.goal")).to_have_count(2)
    _no_axe_violations(page)
    page.get_by_role("button", name="Uitloggen").click()

    # The mentor sees them, and when she marks their meeting held she notes progress on the first.
    _log_in(page, live_server, pair.mentor)
    page.get_by_role("link", name="Naar je mentorschap").click()
    expect(page.locator(".goals-panel").get_by_text("Binnen een jaar teamleider")).to_be_visible()
    page.goto(f"{live_server.url}/afspraken/{meeting.pk}/")
    held = page.locator(".held-form")
    held.get_by_label("Missie").check()
    held.get_by_label("Binnen een jaar teamleider, met tijd voor vakinhoud").fill("Ontwikkelgesprek staat gepland")
    _no_axe_violations(page)
    held.get_by_role("button", name="Markeren als gehouden").click()
    expect(page.get_by_text("Gemarkeerd als gehouden")).to_be_visible()

    # The progress is in the goal's history, with who noted it.
    page.goto(f"{live_server.url}/doelen/paar/{pair.pk}/")
    first = page.locator("article.goal").first
    first.get_by_text("Geschiedenis").click()
    expect(first.get_by_text("Ontwikkelgesprek staat gepland")).to_be_visible()
    expect(first.get_by_text(pair.mentor.full_name)).to_be_visible()
    # She moves the goal on: on track.
    first.get_by_role("link", name="Bijwerken").click()
    page.get_by_label("Op koers").check()
    _no_axe_violations(page)
    page.get_by_role("button", name="Doel opslaan").click()
    expect(page.locator("article.goal").first.locator(".goal-state")).to_have_text("Op koers")
    _no_axe_violations(page)


def test_at_the_renewal_moment_both_see_the_goals_and_choose_what_goes_along(live_server, page):
    start = timezone.localdate() - relativedelta(months=11, days=20)
    pair = ActiveMatchFactory(start_date=start, planned_end=start + relativedelta(months=12))
    keep = GoalFactory(match=pair, text="Teamleider worden")
    GoalFactory(match=pair, text="Spreken op een congres")

    _log_in(page, live_server, pair.mentor)
    page.goto(f"{live_server.url}/programma/mentorschap/{pair.pk}/verlengen/")
    section = page.locator("section", has=page.get_by_role("heading", name="Jullie doelen in deze termijn"))
    expect(section.get_by_text("Teamleider worden").first).to_be_visible()
    _no_axe_violations(page)
    section.get_by_role("checkbox", name="Spreken op een congres").uncheck()
    section.get_by_role("button", name="Keuze voor onze doelen opslaan").click()
    expect(page.get_by_text("Jullie keuze voor de doelen is opgeslagen.")).to_be_visible()
    assert list(Goal.objects.filter(match=pair, carry_over=True)) == [keep]
    _no_axe_violations(page)
