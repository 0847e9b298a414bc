"""Issue 25 in Chromium: the mentee ranks her mentors, the coordinator proposes and confirms, the mentor
agrees, and only then does the mentee receive her mentor's details (R8). The new pages pass axe."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.test import override_settings
from playwright.sync_api import expect

from accounts.tests.factories import CoordinatorFactory, ExpertiseFactory, MemberFactory
from matching.models import Match
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory
from matching.tests.test_pair_journey_browser import log_in, log_out
from notifications.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _mentor_accepts():
    with override_settings(MATCHING_MENTOR_ACCEPTS=True):
        yield


def no_axe_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"


def test_the_mentee_ranks_the_optimum_honours_it_the_mentor_agrees_and_then_the_details_go_out(live_server, page):
    cycle = CycleFactory(name="2027")
    btw = ExpertiseFactory(name="Btw")
    birgit = MemberFactory(full_name="Birgit Jansen", email="birgit@example.org")
    MentorApplicationFactory(cycle=cycle, member=birgit, capacity=1).topics.set([btw])
    petra = MemberFactory(full_name="Petra Visser", email="petra@example.org")
    MentorApplicationFactory(cycle=cycle, member=petra, capacity=1, offer="Twintig jaar loonheffingen.")
    sanne = MemberFactory(full_name="Sanne Bakker", email="sanne@example.org")
    ApplicationFactory(cycle=cycle, member=sanne).topics.set([btw])
    coordinator = CoordinatorFactory(full_name="Carla Coördinator")

    # The mentee chooses Petra first (Birgit shares her topic: without the choice she would be proposed).
    log_in(page, live_server, sanne)
    page.goto(f"{live_server.url}/programma/")
    page.get_by_role("link", name="Kies je mentoren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies je mentoren")
    expect(page.get_by_text("Twintig jaar loonheffingen.")).to_be_visible()
    no_axe_violations(page)
    page.get_by_label("1e keus").select_option(label="Petra Visser")
    page.get_by_role("button", name="Mijn keuzes opslaan").click()
    expect(page.get_by_text("Je keuzes zijn opgeslagen")).to_be_visible()
    expect(page.get_by_text("jouw keus 1")).to_be_visible()
    no_axe_violations(page)
    log_out(page, live_server)

    # The coordinator computes the optimal proposal: it honours Sanne's first choice; she confirms it.
    log_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/admin/matching/cycle/{cycle.pk}/matching/voorstel/")
    page.get_by_role("button", name="Bereken het voorstel").click()
    page.reload()
    expect(page.get_by_text("Het voorstel geeft haar 1e keus")).to_be_visible()
    expect(page.get_by_text("1e keus van de mentee")).to_be_visible()
    no_axe_violations(page)
    page.get_by_label("Ik wil deze mentorschappen nu al bevestigen", exact=False).check()
    page.get_by_role("button", name="Bevestig alle mentorschappen van het voorstel").click()
    expect(page.get_by_text("wordt de mentor van dit mentorschap gevraagd of zij instemt")).to_be_visible()
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.locator(".messagelist")).to_contain_text("1 mentorschap bevestigd")
    log_out(page, live_server)
    assert not OutboxMessage.objects.filter(recipient=sanne).exists()  # nothing for her before Petra's yes

    # The mentor reads who and why, and agrees.
    log_in(page, live_server, petra)
    page.goto(f"{live_server.url}/programma/")
    page.get_by_role("link", name="Lezen en antwoorden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Word jij de mentor van Sanne Bakker?")
    expect(page.get_by_text("Hoe groei ik door naar een leidinggevende rol")).to_be_visible()
    expect(page.get_by_text("keus van de mentee")).to_have_count(0)
    no_axe_violations(page)
    page.get_by_label("Ja, ik word haar mentor").check()
    page.get_by_role("button", name="Mijn antwoord versturen").click()
    expect(page.get_by_text("Dank je wel! Sanne Bakker krijgt nu je contactgegevens.")).to_be_visible()
    log_out(page, live_server)

    # Now the mentee has her mentor, with her details on the pair page and in her e-mail (R8).
    log_in(page, live_server, sanne)
    page.goto(f"{live_server.url}/programma/")
    page.get_by_role("link", name="Openen").click()
    expect(page.get_by_text("petra@example.org")).to_be_visible()

    assert Match.objects.get(mentee=sanne).status in Match.ONGOING_STATUSES
    assert OutboxMessage.objects.filter(recipient=sanne, kind=OutboxMessage.Kind.MATCH_MENTEE).exists()
    assert any("petra@example.org" in message.body for message in mail.outbox if sanne.email in message.to)
