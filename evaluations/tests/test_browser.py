"""End to end in Chromium: a mentee answers anonymously; a coordinator sees results only above the threshold."""

import datetime

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, CoordinatorFactory, MemberFactory, browser_second_step
from evaluations import services
from evaluations.models import Receipt, Role, SealedBallot
from evaluations.tests.factories import EvaluationRoundFactory, add_responses, publish
from matching.tests.factories import ActiveMatchFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email, *, staff=False):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if staff:
        browser_second_step(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def log_out(page):
    page.get_by_role("button", name="Uitloggen").click()


def after_close(evaluation_round):
    moment = datetime.datetime.combine(evaluation_round.closes_on + datetime.timedelta(days=1), datetime.time(10))
    return time_machine.travel(moment.astimezone(), tick=True)


def test_a_mentee_answers_and_the_coordinator_sees_results_only_from_the_threshold(live_server, page):
    lotte = MemberFactory(email="lotte@example.org", full_name="Lotte Bakker")
    match = ActiveMatchFactory(mentee=lotte)
    evaluation_round = EvaluationRoundFactory(cycle=match.cycle, name="Tussentijdse evaluatie 2027")
    services.round_add_default_questions(round=evaluation_round)
    services.invitations_ensure(round=evaluation_round)
    coordinator = CoordinatorFactory(email="carla@example.org")

    # The mentee finds her invitation on her overview and opens it.
    log_in(page, live_server, lotte.email)
    panel = page.get_by_role("region", name="Openstaande evaluaties")
    assert Axe().run(page).violations_count == 0
    panel.get_by_role("link", name="Tussentijdse evaluatie 2027").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tussentijdse evaluatie 2027")
    expect(page.get_by_role("heading", name="Wat we opslaan, en wie wat kan zien")).to_be_visible()
    assert Axe().run(page).violations_count == 0

    # She forgets one required question: everything else she typed is kept.
    page.get_by_role("group", name="Hoe goed klikte het").get_by_label("5 – heel goed").check()
    page.get_by_role("group", name="Hoe vaak hebben jullie").get_by_label("Eens per maand").check()
    page.get_by_role("group", name="Hoe hebben jullie elkaar ontmoet").get_by_label("In persoon").check()
    page.get_by_role("group", name="mentorvraag").get_by_label("4", exact=True).check()
    page.get_by_role("group", name="vertrouwen").get_by_label("5 – volledig").check()
    page.get_by_role("group", name="netwerk").get_by_label("4", exact=True).check()
    page.get_by_label("Wat kunnen we verbeteren aan het programma?").fill("Meer bijeenkomsten voor alle deelnemers.")
    page.get_by_role("button", name="Mijn evaluatie insturen").click()

    expect(page.get_by_text("Beantwoord deze vraag alsjeblieft.")).to_be_visible()
    expect(page.get_by_label("Wat kunnen we verbeteren aan het programma?")).to_have_value(
        "Meer bijeenkomsten voor alle deelnemers."
    )
    expect(page.get_by_role("group", name="Hoe goed klikte het").get_by_label("5 – heel goed")).to_be_checked()
    assert not Receipt.objects.exists()

    page.get_by_role("group", name="programma als geheel").get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Mijn evaluatie insturen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je evaluatie")
    expect(page.get_by_role("heading", name="Hoe het verdergaat")).to_be_visible()
    assert Axe().run(page).violations_count == 0
    assert SealedBallot.objects.filter(round=evaluation_round).count() == 1  # sealed until published
    # No reopening: the link now only says thank you.
    page.goto(live_server.url + evaluation_round.invitations.get(user=lotte).get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Je hebt deze evaluatie al ingestuurd")
    log_out(page)

    # Three more mentees answer: four in all, below the threshold of five.
    add_responses(evaluation_round, Role.MENTEE, 3, scale=3)
    results_url = f"{live_server.url}/admin/evaluations/evaluationround/{evaluation_round.pk}/resultaten/"
    with after_close(evaluation_round):
        log_in(page, live_server, coordinator.email, staff=True)
        page.goto(results_url)
        # Closed, not yet published: the page says when results will appear.
        expect(page.get_by_text("na de nachtelijke publicatie")).to_be_visible()
        expect(page.get_by_text("Gemiddelde:")).to_have_count(0)
        publish(evaluation_round)
        page.reload()
        expect(page.get_by_role("heading", name="Mentee (4 ingevulde formulieren)")).to_be_visible()
        expect(page.get_by_text("Minder dan 5 ingevulde formulieren").first).to_be_visible()
        expect(page.get_by_text("Gemiddelde:")).to_have_count(0)
        expect(
            page.get_by_role("heading", name="Hoe goed klikte het tussen jou en je mentor of mentee?")
        ).to_have_count(0)

    # A fifth mentee answers: now the mentee group is shown, without any open answers (fewer than 8).
    add_responses(evaluation_round, Role.MENTEE, 1, scale=3)
    publish(evaluation_round)
    with after_close(evaluation_round):
        page.reload()
        expect(page.get_by_role("heading", name="Mentee (5 ingevulde formulieren)")).to_be_visible()
        click = page.get_by_role("region", name="Hoe goed klikte het tussen jou en je mentor of mentee?").first
        # Lotte's 5 and four times 3.
        expect(click.get_by_text("Gemiddelde: 3,4")).to_be_visible()
        expect(click.get_by_role("row", name="5 (heel goed) 1 20%")).to_be_visible()
        expect(page.get_by_text("Meer bijeenkomsten voor alle deelnemers.")).to_have_count(0)
        # The pair's mentor did not answer: the response rate shows it, the results do not.
        expect(page.get_by_role("row", name="Mentor 1 0 0%")).to_be_visible()
