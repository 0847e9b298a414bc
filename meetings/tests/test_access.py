"""Who may see or change a meeting: only the pair (R11). Everyone else gets 404 or the login page."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from meetings import selectors, services
from meetings.models import Meeting

from .factories import HeldMeetingFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(pair):
    # Planned by the mentee: she is the author, the mentor her partner.
    return MeetingFactory(match=pair, created_by=pair.mentee, updated_by=pair.mentee)


def _viewer(name, meeting, other_member, coordinator):
    return {
        "anonymous": None,
        "other member": other_member,
        "coordinator": coordinator,
        "author": meeting.created_by,
        "partner": meeting.match.mentor,
    }[name]


GET_PAGES = [
    ("meetings:list", "match"),
    ("meetings:create", "match"),
    ("meetings:detail", "meeting"),
    ("meetings:edit", "meeting"),
    ("meetings:cancel", "meeting"),
    ("meetings:ics", "meeting"),
]
VIEWERS = ["anonymous", "other member", "coordinator", "author", "partner"]
EXPECTED = {"anonymous": 302, "other member": 404, "coordinator": 404, "author": 200, "partner": 200}


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("url_name", "target"), GET_PAGES)
def test_every_meeting_page_is_for_the_pair_only(client, meeting, other_member, coordinator, viewer, url_name, target):
    user = _viewer(viewer, meeting, other_member, coordinator)
    if user:
        client.force_login(user)
    pk = meeting.match_id if target == "match" else meeting.pk

    response = client.get(reverse(url_name, args=[pk]))

    assert response.status_code == EXPECTED[viewer]
    if viewer == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    if response.status_code == 404:
        assert "Kantoor Utrecht" not in response.content.decode()


@pytest.mark.parametrize("viewer", ["author", "partner"])
def test_either_partner_may_mark_held_and_cancel(client, pair, viewer):
    held = HeldMeetingFactory(match=pair, status=Meeting.Status.PLANNED)
    to_cancel = MeetingFactory(match=pair)
    user = pair.mentee if viewer == "author" else pair.mentor
    client.force_login(user)

    client.post(reverse("meetings:mark_held", args=[held.pk]))
    client.post(reverse("meetings:cancel", args=[to_cancel.pk]))

    held.refresh_from_db()
    to_cancel.refresh_from_db()
    assert held.status == Meeting.Status.HELD
    assert held.status_changed_by == user
    assert to_cancel.status == Meeting.Status.CANCELLED


@pytest.mark.parametrize("bad_pk", ["0", "999999", "99999999999999999999"])
def test_unknown_ids_are_404_not_500(client, mentee, bad_pk):
    client.force_login(mentee)

    assert client.get(f"/afspraken/{bad_pk}/").status_code == 404
    assert client.get(f"/afspraken/paar/{bad_pk}/").status_code == 404


@pytest.mark.parametrize("bad_pk", [None, "", "abc", 0, 10**30])
def test_access_helper_refuses_nonsense(mentee, bad_pk):
    with pytest.raises(Http404):
        selectors.meeting_for_user(user=mentee, pk=bad_pk)


def test_access_helper_returns_the_meeting_to_both_partners_only(meeting, other_member, coordinator):
    assert selectors.meeting_for_user(user=meeting.match.mentor, pk=meeting.pk) == meeting
    assert selectors.meeting_for_user(user=meeting.match.mentee, pk=meeting.pk) == meeting
    for outsider in (other_member, coordinator):
        with pytest.raises(Http404):
            selectors.meeting_for_user(user=outsider, pk=meeting.pk)


def test_a_pair_sees_only_its_own_meetings_in_its_list(client, pair, other_member):
    MeetingFactory(match=pair, location="Ons eigen kantoor")
    other_pair = other_member.matches_as_mentee.get()
    MeetingFactory(match=other_pair, location="Het andere kantoor")
    client.force_login(pair.mentor)

    page = client.get(reverse("meetings:list", args=[pair.pk])).content.decode()

    assert "Ons eigen kantoor" in page
    assert "Het andere kantoor" not in page


# Every view that changes something, with a POST that would succeed for the pair.
POST_ACTIONS = [
    ("meetings:create", "match"),
    ("meetings:edit", "meeting"),
    ("meetings:mark_held", "meeting"),
    ("meetings:cancel", "meeting"),
    ("meetings:detail", "meeting"),  # the private note
]
IN_A_MONTH = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
STARTED_FORM = {"date": IN_A_MONTH, "start_time": "10:00", "end_time": "11:00", "mode": "virtual", "text": "x"}


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("url_name", "target"), POST_ACTIONS)
def test_only_the_pair_changes_a_meeting(client, pair, other_member, coordinator, viewer, url_name, target):
    """Every changing POST, by every role: outsiders get 404 (anonymous: the login page) and change nothing."""
    # Started an hour ago, so the pair may also mark it held.
    meeting = HeldMeetingFactory(match=pair, status=Meeting.Status.PLANNED, created_by=pair.mentee)
    user = _viewer(viewer, meeting, other_member, coordinator)
    if user:
        client.force_login(user)
    pk = meeting.match_id if target == "match" else meeting.pk

    response = client.post(reverse(url_name, args=[pk]), STARTED_FORM)

    meeting.refresh_from_db()
    changed = (
        pair.meetings.count() > 1
        or meeting.status != Meeting.Status.PLANNED
        or meeting.mode != Meeting.Mode.IN_PERSON
        or meeting.private_notes.exists()
    )
    if viewer in ("author", "partner"):
        assert response.status_code == 302
        assert changed
    else:
        assert response.status_code == EXPECTED[viewer]
        assert not changed
    if viewer == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_calendar_feed_matrix(client, meeting, other_member, coordinator, viewer):
    """A feed is opened by its secret token, not a login; it holds only its owner's pairs' meetings."""
    user = _viewer(viewer, meeting, other_member, coordinator)
    if user is None:
        # Anonymous has no feed of her own: a guessed token is a 404.
        assert client.get(reverse("meetings:feed", args=["geraden-token"])).status_code == 404
        return
    feed = services.calendar_feed_renew(user=user)

    response = client.get(reverse("meetings:feed", args=[feed.token]))

    assert response.status_code == 200
    has_meeting = f"{meeting.uid}@mentorprogramma".encode() in response.content
    assert has_meeting is (viewer in ("author", "partner"))
    if not has_meeting:
        assert b"Kantoor Utrecht" not in response.content
    # Switched off, the same URL is a 404 for everyone.
    services.calendar_feed_revoke(user=user)
    assert client.get(reverse("meetings:feed", args=[feed.token])).status_code == 404
