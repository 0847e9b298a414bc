"""A member downloads her data and then deletes her account, in Chromium."""

import datetime
import json
import zipfile

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import PASSWORD
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory
from meetings import services as meeting_services
from meetings.tests.factories import HeldMeetingFactory
from notifications.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Voor mezelf: volgende keer over onderhandelen beginnen."


def _log_in(page, live_server, user):
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def _confirm_password(page):
    expect(page.get_by_label("Wachtwoord")).to_be_visible()
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Bevestigen").click()


def test_a_member_downloads_her_data_and_then_deletes_her_account(live_server, page):
    match = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(days=40))
    mentee, mentor = match.mentee, match.mentor
    meeting = HeldMeetingFactory(match=match, starts_at=timezone.now() - datetime.timedelta(days=2))
    meeting_services.private_note_save(meeting=meeting, author=mentee, text=NOTE)

    _log_in(page, live_server, mentee)
    page.get_by_role("button", name=mentee.get_short_name(), exact=True).click()  # her menu
    page.get_by_role("link", name="Mijn gegevens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
    expect(page.get_by_text(NOTE)).to_be_visible()
    expect(page.get_by_text("Je antwoorden op evaluaties staan niet op deze pagina")).to_be_visible()
    assert Axe().run(page).violations_count == 0

    # The download asks for her password first, then the ZIP arrives.
    page.get_by_role("link", name="Mijn gegevens downloaden (ZIP)").click()
    with page.expect_download() as download_info:
        _confirm_password(page)
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(download.path())
    document = json.loads(archive.read("mijn-gegevens.json"))
    assert document["sections"]["profile"]["records"][0]["membership_number"] == mentee.profile.membership_number
    assert NOTE in archive.read("mijn-gegevens.html").decode()

    # Then she deletes her account: a clear page, a confirmation, and she is logged out.
    page.goto(live_server.url + "/mijn-gegevens/")
    page.get_by_role("link", name="Account verwijderen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account verwijderen")
    expect(page.get_by_text("voormalig deelnemer")).to_be_visible()
    assert Axe().run(page).violations_count == 0
    page.get_by_label("Ik begrijp dat dit niet ongedaan kan worden gemaakt").check()
    page.get_by_role("button", name="Mijn account definitief verwijderen").click()
    expect(page.get_by_text("Je account en je persoonsgegevens zijn verwijderd.")).to_be_visible()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()

    assert not User.objects.filter(pk=mentee.pk).exists()
    match.refresh_from_db()
    assert match.status == Match.Status.ENDED_EARLY and match.mentee_id is None
    assert OutboxMessage.objects.filter(recipient=mentor, kind=OutboxMessage.Kind.PAIR_ENDED).exists()
