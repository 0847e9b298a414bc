"""Issue 26 §5: a partner downloads her participation certificate from *Mijn mentorschap* in Chromium."""

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from matching.tests.factories import ActiveMatchFactory
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from meetings.tests.test_browser import _log_in, _open_pair_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_mentee_downloads_her_certificate_and_anyone_checks_it(live_server, page, tmp_path):
    pair = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(days=60))
    MeetingFactory(
        match=pair,
        starts_at=timezone.now() - datetime.timedelta(days=20),
        duration_minutes=90,
        status=Meeting.Status.HELD,
    )
    _log_in(page, live_server, pair.mentee)
    panel = _open_pair_page(page)
    with page.expect_download() as info:
        panel.get_by_role("link", name="Deelnamebewijs downloaden (pdf)").click()
    download = info.value
    assert download.suggested_filename == "deelnamebewijs-mentorprogramma.pdf"
    path = tmp_path / "bewijs.pdf"
    download.save_as(path)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages).split())
    assert "Deelnamebewijs mentorprogramma" in text and pair.mentee.full_name in text and "1,5 uur" in text
    assert pair.mentor.full_name not in text
    url = text.split("Controleer de echtheid van dit bewijs op ")[1].split()[0]
    code = url.rstrip("/").rsplit("/", 1)[1]

    # Anyone, logged out, checks it by typing the code.
    page.context.clear_cookies()
    page.goto(live_server.url + "/deelnamebewijs/")
    page.get_by_label("Verificatiecode").fill(code)
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_text("Dit deelnamebewijs is echt")).to_be_visible()
    expect(page.locator(".certificate-name")).to_have_text(pair.mentee.full_name)
