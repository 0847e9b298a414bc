"""Issue 27 in Chromium: the cockpit with its charts and the year report page pass axe; every chart is an
SVG the browser draws, with a title and a text alternative; the PDF's text says what the page says,
the early ends per category and the evaluation per question and role included."""

import base64
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from coordination.tests.test_charts import closed_year_evaluation
from matching import services as matching_services
from matching.models import Cycle, Match
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory
from matching.tests.test_browser import log_in
from mentorprogramma.tests.test_admin_a11y_browser import _log_in_as_coordinator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SVG = "{http://www.w3.org/2000/svg}"


def _two_years() -> Cycle:
    """Last year's cycle and this year's: pairs, early ends with their categories, a published evaluation."""
    today = datetime.date.today()
    previous = CycleFactory(
        name="2025",
        status=Cycle.Status.CLOSED,
        applications_open=today - datetime.timedelta(days=800),
        applications_close=today - datetime.timedelta(days=780),
        planned_start=today - datetime.timedelta(days=760),
    )
    cycle = CycleFactory(
        name="2026",
        status=Cycle.Status.RUNNING,
        applications_open=today - datetime.timedelta(days=400),
        applications_close=today - datetime.timedelta(days=380),
        planned_start=today - datetime.timedelta(days=365),
    )
    for year, ends in ((previous, {"time": 5}), (cycle, {"time": 6, "fit": 5, "other": 1})):
        pairs = [ActiveMatchFactory(cycle=year) for _ in range(18)]
        ended = iter(pairs)
        for category, count in ends.items():
            for _ in range(count):
                pair = next(ended)
                matching_services.match_end_early(
                    match=pair, by=pair.mentee, reason="VRIJE-TEKST", category=category, notify=False
                )
    closed_year_evaluation(cycle, mentees=6, mentors=4)
    return cycle


def _check_charts(page, keys):
    """Each chart: drawn by the browser (an SVG it could parse), with a title, an alt sentence and a table."""
    for key in keys:
        card = page.locator(f"#chart-{key}")
        image = card.get_by_role("img")
        expect(image).to_be_visible()
        assert image.evaluate("(img) => img.complete && img.naturalWidth > 0"), key
        alt = image.get_attribute("alt")
        assert alt and alt.endswith("."), key
        source = image.get_attribute("src")
        root = ET.fromstring(base64.b64decode(source.split(",", 1)[1]))
        title = root.find(f".//{SVG}title")
        assert title is not None and title.text and alt.startswith(title.text), key
        assert card.get_by_role("region", name=f"Tabel: {title.text}").locator("tr").count() > 0, key


def test_cockpit_and_year_report_pass_axe_and_the_pdf_says_what_the_page_says(live_server, page):
    cycle = _two_years()
    _log_in_as_coordinator(page, live_server)

    page.goto(f"{live_server.url}/coordinatie/?cyclus={cycle.pk}")
    _check_charts(page, ["funnel", "pairs", "meetings", "evaluation"])
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    page.goto(f"{live_server.url}/coordinatie/jaarverslag/{cycle.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jaarverslag 2026")
    _check_charts(page, ["funnel", "evaluation"])
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # The page's figures, row by row: label, this year, last year.
    rows = page.locator("section[aria-labelledby^='section-'] table tbody tr").evaluate_all(
        "(rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.innerText.trim()))"
    )
    figures = {row[0]: row[1:] for row in rows}
    assert figures["Voortijdig beëindigd: tijd of werkdruk"] == ["6", "5"]
    # One "other": too few, and so is "fit" (5), else 12 − 6 − 5 would give the one away (complement).
    assert figures["Voortijdig beëindigd"] == ["12", "5"]
    assert figures["Voortijdig beëindigd: anders"] == ["te weinig", "te weinig"]
    assert figures["Voortijdig beëindigd: het klikte niet"] == ["te weinig", "te weinig"]
    assert figures["Hoe goed klikte het tussen jou en je mentor of mentee? (mentee)"][0] == "4,0"
    assert figures["Hoe goed klikte het tussen jou en je mentor of mentee? (mentor)"][0] == "te weinig"
    assert "VRIJE-TEKST" not in page.content()

    pdf = page.request.get(f"{live_server.url}/coordinatie/jaarverslag/{cycle.pk}/jaarverslag.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    pdf_lines = [
        line.strip() for p in PdfReader(io.BytesIO(pdf.body())).pages for line in p.extract_text().splitlines()
    ]
    for label, values in figures.items():
        expected = " ".join([label[:1].lower() + label[1:], *values])
        assert any(line == expected or line == " ".join([label, *values]) for line in pdf_lines), (
            f"{expected!r} not in the PDF"
        )
    assert "VRIJE-TEKST" not in "\n".join(pdf_lines)


def test_a_member_who_stops_chooses_a_category_and_the_coordinators_end_page_asks_one_too(live_server, page):
    pair, other = ActiveMatchFactory(), ActiveMatchFactory()
    # Her matched application: withdrawing it ends her mentorship early (R6).
    mentee_application = ApplicationFactory(cycle=other.cycle, member=other.mentee)
    Match.objects.filter(pk=other.pk).update(mentee_application=mentee_application)
    log_in(page, live_server, other.mentee.email)

    page.goto(live_server.url + reverse("matching:application_withdraw", args=[mentee_application.pk]))
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("textbox", name="Reden").fill("Ik heb er geen tijd meer voor")
    page.get_by_role("button", name="Stoppen met mijn mentorschap").click()
    # Without a category she is asked for one, and her words are still there.
    expect(page.get_by_text("Kies de reden die het best past")).to_be_visible()
    expect(page.get_by_role("textbox", name="Reden")).to_have_value("Ik heb er geen tijd meer voor")
    page.get_by_label("Tijd of werkdruk").check()
    page.get_by_role("button", name="Stoppen met mijn mentorschap").click()
    other.refresh_from_db()
    assert (other.status, other.end_category) == (Match.Status.ENDED_EARLY, "time")

    page.context.clear_cookies()
    _log_in_as_coordinator(page, live_server)
    page.goto(f"{live_server.url}/admin/matching/match/{pair.pk}/beeindigen/")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_label("Doel al eerder bereikt").check()
    page.get_by_role("textbox", name="Reden").fill("Doel bereikt")
    page.get_by_role("button", name="Voortijdig beëindigen").click()
    pair.refresh_from_db()
    assert (pair.status, pair.end_category) == (Match.Status.ENDED_EARLY, "goal_reached")
