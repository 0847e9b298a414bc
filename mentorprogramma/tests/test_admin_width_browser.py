"""Issue 28 §4: every admin change list a coordinator opens fits a 1280 px wide screen (no sideways scrolling).

The lists show the columns coordinators scan; the rest is on each row's change page.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import MemberListEntry, MemberListImport, MembershipType
from accounts.tests.factories import PASSWORD, ExpertiseFactory, MemberFactory
from evaluations.tests.factories import EvaluationRoundFactory, invitation_for_new_pair
from matching.models import FirmGroup, FitCheck, PairOverride
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory
from meetings.tests.factories import HeldMeetingFactory
from mentorprogramma.tests.test_admin_a11y_browser import _log_in_as_coordinator
from notifications.models import OutboxMessage
from notifications.tests.factories import OutboxMessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1280
# Long but real: names, firms and addresses as the member list holds them.
LONG_NAME = "Anne-Marie van den Heuvel-Schoonderwoerd"
LONG_FIRM = "PricewaterhouseCoopers Belastingadviseurs N.V. (Amsterdam Zuidas)"


def _long_member(n):
    member = MemberFactory(
        full_name=f"{LONG_NAME} {n}", email=f"anne-marie.vandenheuvel-schoonderwoerd.{n}@example.org"
    )
    member.profile.organisation = LONG_FIRM
    member.profile.save()
    return member


def _rows_for_every_list():
    cycle = CycleFactory(name="Mentorprogramma voorjaar 2027 (tweede ronde)")
    for n in range(3):
        mentor_application = MentorApplicationFactory(cycle=cycle, member=_long_member(f"m{n}"))
        mentor_application.topics.set([ExpertiseFactory()])
        ApplicationFactory(cycle=cycle, member=_long_member(f"e{n}"))
    pair = ActiveMatchFactory(mentor=_long_member("pm"), mentee=_long_member("pe"))
    HeldMeetingFactory(match=pair)
    FitCheck.objects.create(match=pair, member=pair.mentee, round=1, asked_at=timezone.now())
    evaluation_round = EvaluationRoundFactory(name="Tussentijdse evaluatie voorjaar 2027 (mentees en mentoren)")
    invitation_for_new_pair(evaluation_round)
    OutboxMessageFactory(
        recipient=pair.mentee,
        status=OutboxMessage.Status.FAILED,
        last_error="SMTPRecipientsRefused: {'x@example.org': (550, b'5.1.1 The email account does not exist')}",
    )
    record = MemberListImport.objects.create(file_name="ledenlijst-nob-vrouwennetwerk-2027-01-15-definitief.csv")
    MemberListEntry.objects.create(
        membership_number="12345678",
        email="anne-marie.vandenheuvel-schoonderwoerd@example.org",
        membership_type=MembershipType.MEMBER,
        member_list_import=record,
    )
    FirmGroup.objects.create(name=LONG_FIRM, variants="PwC\nPricewaterhouseCoopers\nPwC Belastingadviseurs N.V.")
    PairOverride.objects.create(
        mentor=pair.mentor,
        mentee=pair.mentee,
        reason="Het vorige mentorschap stopte alleen omdat de mentor een half jaar in het buitenland werkte; "
        "beiden willen graag opnieuw met elkaar verder in deze cyclus.",
    )


def _changelists(page, live_server):
    """Every change list the admin index offers the coordinator."""
    page.goto(f"{live_server.url}/admin/")
    hrefs = page.eval_on_selector_all("#content-main th[scope=row] a", "links => links.map(a => a.pathname)")
    return sorted(set(hrefs))


# The table's right edge inside its box, and the page's width: a list that scrolls sideways inside its
# box (Django's admin puts the table in an overflow box) hides its right-hand columns just the same.
MEASURE = """() => {
    const box = document.querySelector('#changelist-form .results');
    return {
        page: document.documentElement.scrollWidth,
        table: box ? box.scrollWidth : 0,
        box: box ? box.clientWidth : 0,
    };
}"""


def test_every_coordinator_change_list_fits_1280_pixels(live_server, page):
    _rows_for_every_list()
    page.set_viewport_size({"width": WIDTH, "height": 800})
    _log_in_as_coordinator(page, live_server)  # with her second factor, as the 17-page axe test

    urls = _changelists(page, live_server)
    assert len(urls) >= 10, urls  # the scan reaches the coordinators' lists
    too_wide, empty = {}, []
    for url in urls:
        page.goto(live_server.url + url)
        if "/reauthenticate/" in page.url:
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Bevestigen").click()
        expect(page.locator("#changelist")).to_be_visible()
        if not page.locator("#result_list tbody tr").count():
            empty.append(url)
        width = page.evaluate(MEASURE)
        if width["page"] > WIDTH or width["table"] > width["box"]:
            too_wide[url] = width

    assert too_wide == {}
    # Every list the coordinators work with was measured with rows in it.
    assert [url for url in empty if url.startswith(("/admin/matching/", "/admin/accounts/profile/"))] == []
