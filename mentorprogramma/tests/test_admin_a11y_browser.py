"""Issue 28 §4: the admin pages the coordinators use, accessible (axe-core 0 violations), with labelled
inputs, primary actions that look primary and a Koppelen button whose name holds its visible text."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, CoordinatorFactory, ProfileFactory, browser_second_step
from evaluations.tests.factories import EvaluationRoundFactory
from matching.models import PairOverride
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in_as_coordinator(page, live_server):
    coordinator = CoordinatorFactory()
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("E-mail").fill(coordinator.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    browser_second_step(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def _scan(page, live_server, path) -> str | None:
    page.goto(live_server.url + path)
    if "/reauthenticate/" in page.url:  # some pages ask for her password again first
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Bevestigen").click()
        expect(page).to_have_url(live_server.url + path)
    results = Axe().run(page)
    return None if results.violations_count == 0 else results.generate_report()


def test_the_coordinators_admin_pages_have_no_accessibility_violations(live_server, page):
    cycle = CycleFactory()
    mentor_application = MentorApplicationFactory(cycle=cycle)
    ApplicationFactory(cycle=cycle)
    pair = ActiveMatchFactory()
    PairOverride.objects.create(mentor=pair.mentor, mentee=pair.mentee, reason="Beiden willen opnieuw beginnen.")
    evaluation_round = EvaluationRoundFactory()
    profile = ProfileFactory()
    _log_in_as_coordinator(page, live_server)

    paths = [
        "/admin/",
        "/admin/matching/cycle/",
        "/admin/matching/cycle/add/",
        f"/admin/matching/cycle/{cycle.pk}/change/",
        f"/admin/matching/cycle/{cycle.pk}/matching/",
        f"/admin/matching/cycle/{cycle.pk}/matching/voorstel/",
        "/admin/matching/application/",
        f"/admin/matching/application/{mentor_application.pk}/change/",
        f"/admin/matching/application/{mentor_application.pk}/plekken/",  # issue 25 §4
        "/admin/matching/pairoverride/",  # issue 25 §5
        "/admin/matching/pairoverride/add/",
        "/admin/matching/firmgroup/",
        "/admin/accounts/memberlistentry/",
        "/admin/matching/match/",
        f"/admin/matching/match/{pair.pk}/change/",
        "/admin/matching/fitcheck/",
        "/admin/evaluations/evaluationround/",
        "/admin/evaluations/evaluationround/add/",
        f"/admin/evaluations/evaluationround/{evaluation_round.pk}/change/",
        "/admin/accounts/profile/",
        f"/admin/accounts/profile/{profile.pk}/change/",
        "/admin/accounts/memberlistimport/",
        "/admin/notifications/outboxmessage/",
    ]
    reports = {path: report for path in paths if (report := _scan(page, live_server, path))}

    assert reports == {}, "\n".join(f"{path}: {report}" for path, report in reports.items())


def test_the_cycle_form_has_no_unlabelled_inputs(live_server, page):
    _log_in_as_coordinator(page, live_server)

    page.goto(f"{live_server.url}/admin/matching/cycle/add/")

    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll(
                '#cycle_form input:not([type=hidden]):not([type=submit]), #cycle_form select')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map(el => el.name)"""
    )
    assert unlabelled == []


def test_the_koppelen_button_is_named_by_its_visible_text_and_primary_actions_look_primary(live_server, page):
    cycle = CycleFactory()
    mentor = MentorApplicationFactory(cycle=cycle)
    mentee = ApplicationFactory(cycle=cycle)
    _log_in_as_coordinator(page, live_server)
    page.goto(f"{live_server.url}/admin/matching/cycle/{cycle.pk}/matching/?vroeg=1")
    page.goto(f"{live_server.url}/admin/matching/cycle/{cycle.pk}/matching/")
    early = page.get_by_role("link", name="Ik wil nu al koppelen, voordat de aanmelding sluit")
    if early.count():
        early.click()

    button = page.locator("button", has_text="Koppelen").first
    visible = button.inner_text().strip()
    name = button.get_attribute("aria-label")
    assert visible == "Koppelen"
    assert name.startswith(visible) and mentee.member.full_name in name and mentor.member.full_name in name


def test_primary_admin_actions_look_primary():
    """A bare <button class="default"> gets the browser's grey (it looked disabled): the admin styles
    `.button.default` in the programme's colour, so every primary button carries both classes."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    buttons = [
        (path.name, tag)
        for path in root.glob("*/templates/admin/**/*.html")
        for tag in re.findall(r"<button[^>]*>", path.read_text())
    ] + [
        (path.name, tag)
        for path in root.glob("*/templates/*/admin/*.html")
        for tag in re.findall(r"<button[^>]*>", path.read_text())
    ]
    assert buttons  # the scan reads the admin's own templates
    bare = [(name, tag) for name, tag in buttons if not re.search(r'class="[^"]*\bbutton\b', tag)]
    assert bare == []
