"""Issue 15 in Chromium: a pair matched before the cycle starts, through the introduction and the fit
check, to a kind end and a new match for the mentee after her 'niet'."""

import datetime
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.tests.factories import (
    PASSWORD,
    CoordinatorFactory,
    ExpertiseFactory,
    MemberFactory,
    browser_second_step,
)
from matching.models import Cycle, FitCheck, Match
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
MATCH_DAY = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=AMSTERDAM)
INTRODUCTION_DAY = datetime.date(2026, 12, 3)
START = datetime.date(2027, 2, 13)


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if user.is_staff:
        browser_second_step(page)  # coordinators sign in with a second step (h13)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def log_out(page, live_server):
    page.goto(f"{live_server.url}/overzicht/")  # the site's own log-out, also after the admin
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()


def open_pair_page(page):
    page.get_by_role("link", name="Naar je mentorschap").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn mentorschap")


def test_matched_before_the_start_introduced_a_no_and_matched_again(live_server, page):
    with time_machine.travel(MATCH_DAY, tick=True) as clock:
        cycle = CycleFactory(
            name="2027",
            status=Cycle.Status.MATCHING,
            applications_open=datetime.date(2026, 10, 1),
            applications_close=datetime.date(2026, 11, 28),
            planned_start=START,
        )
        btw = ExpertiseFactory(name="Btw")
        birgit = MemberFactory(full_name="Birgit Jansen", email="birgit@example.org")
        MentorApplicationFactory(cycle=cycle, member=birgit, capacity=1).topics.set([btw])
        petra = MemberFactory(full_name="Petra Visser", email="petra@example.org")
        MentorApplicationFactory(cycle=cycle, member=petra, capacity=1)
        sanne = MemberFactory(full_name="Sanne Bakker", email="sanne@example.org")
        ApplicationFactory(cycle=cycle, member=sanne).topics.set([btw])
        coordinator = CoordinatorFactory(full_name="Carla Coördinator")

        # 30 November: the coordinator confirms the pair, two and a half months before the start.
        log_in(page, live_server, coordinator)
        page.goto(f"{live_server.url}/admin/matching/cycle/{cycle.pk}/matching/")
        page.get_by_role("button", name="Koppelen: Sanne Bakker aan Birgit Jansen").click()
        page.get_by_role("button", name="Bevestigen").click()  # issue 28 §4: Koppelen asks first
        expect(page.locator(".messagelist")).to_contain_text("Sanne Bakker is gekoppeld aan Birgit Jansen")
        log_out(page, live_server)

        # The mentee: 'gekoppeld', when it starts, her mentor's details, and the one click.
        log_in(page, live_server, sanne)
        open_pair_page(page)
        expect(page.get_by_text("gekoppeld", exact=True)).to_be_visible()
        expect(page.get_by_text("Jullie mentorschap begint op 13 februari 2027")).to_be_visible()
        expect(page.get_by_text("birgit@example.org")).to_be_visible()
        page.get_by_role("button", name="Ik heb contact opgenomen").click()
        expect(page.get_by_text("Dank je wel! Veel plezier bij jullie kennismakingsafspraak")).to_be_visible()

        # She plans the introduction for 3 December, long before the cycle's start (R8).
        page.get_by_role("link", name="Plan de kennismakingsafspraak").click()
        page.get_by_label("Datum").fill(INTRODUCTION_DAY.isoformat())
        page.get_by_label("Begintijd").fill("18:00")
        page.get_by_label("Eindtijd").fill("19:00")
        page.get_by_label("Locatie").fill("Kantoor Amsterdam")
        page.get_by_role("button", name="Afspraak plannen").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kennismakingsafspraak")

        # 3 December, after the meeting: she logs it as held and is asked privately whether it fits.
        clock.move_to(datetime.datetime.combine(INTRODUCTION_DAY, datetime.time(19, 30), tzinfo=AMSTERDAM))
        page.reload()
        page.get_by_role("button", name="Markeren als gehouden").click()
        expect(page.get_by_text("Gemarkeerd als gehouden")).to_be_visible()
        page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Mijn mentorschap").click()
        page.get_by_role("link", name="Beantwoord de vraag").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Past het?")
        page.get_by_label("niet", exact=True).check()
        page.get_by_label("Een toelichting voor de coördinatoren (niet verplicht)").fill("Geen klik")
        page.get_by_role("button", name="Mijn antwoord versturen").click()
        expect(page.get_by_text("De coördinatoren nemen contact met je op")).to_be_visible()
        log_out(page, live_server)

        # Her mentor does not see the answer.
        log_in(page, live_server, birgit)
        open_pair_page(page)
        expect(page.get_by_text("Geen klik")).to_have_count(0)
        expect(page.get_by_role("link", name="Beantwoord de vraag")).to_be_visible()  # her own question
        log_out(page, live_server)

        # The coordinator sees the pair that does not fit, ends it kindly and matches Sanne again.
        log_in(page, live_server, coordinator)
        page.goto(f"{live_server.url}/admin/matching/cycle/{cycle.pk}/matching/")
        page.get_by_role("link", name="Dit mentorschap vriendelijk beëindigen").click()
        page.get_by_label("Reden").fill("Geen klik na de kennismaking")
        page.get_by_label("Het klikte niet").check()  # issue 27 §2: the reason's category is required
        page.get_by_role("button", name="Voortijdig beëindigen").click()
        expect(page.locator(".messagelist")).to_contain_text("Sanne Bakker kun je op dit scherm opnieuw koppelen")
        expect(page.get_by_role("row", name="Sanne Bakker")).to_contain_text("opnieuw te koppelen")
        page.get_by_role("button", name="Koppelen: Sanne Bakker aan Petra Visser").click()
        page.get_by_role("button", name="Bevestigen").click()  # issue 28 §4: Koppelen asks first
        expect(page.locator(".messagelist")).to_contain_text("Sanne Bakker is gekoppeld aan Petra Visser")
        log_out(page, live_server)

        # Sanne's new pair: Petra's details, 'gekoppeld' again until the start.
        log_in(page, live_server, sanne)
        open_pair_page(page)
        expect(page.get_by_text("petra@example.org")).to_be_visible()
        expect(page.get_by_text("Jullie mentorschap begint op 13 februari 2027")).to_be_visible()

    assert FitCheck.objects.get(member=sanne).answer == FitCheck.Answer.NO
    assert list(Match.objects.filter(mentee=sanne).order_by("pk").values_list("mentor__full_name", "status")) == [
        ("Birgit Jansen", Match.Status.ENDED_EARLY),
        ("Petra Visser", Match.Status.CONFIRMED),
    ]
