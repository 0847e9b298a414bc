"""Calendar files and the private feed: parsed back, Europe/Amsterdam across daylight saving, revocable."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.urls import reverse

from matching.models import Match
from meetings import services
from meetings.models import Meeting

from .factories import MeetingFactory, local

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def old_pair(pair):
    Match.objects.filter(pk=pair.pk).update(start_date=datetime.date(2026, 1, 1))
    pair.refresh_from_db()
    return pair


def _events(content: bytes):
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, list(calendar.walk("VEVENT"))


def test_a_planned_meeting_downloads_as_an_ics_file(client, old_pair):
    meeting = MeetingFactory(
        match=old_pair,
        starts_at=local(2026, 3, 20, 14, 30),
        duration_minutes=75,
        is_introduction=True,
        location="Koffiebar",
    )
    client.force_login(old_pair.mentee)

    response = client.get(reverse("meetings:ics", args=[meeting.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar, (event,) = _events(response.content)
    assert str(event["summary"]) == f"Kennismakingsafspraak met {old_pair.mentor}"
    start = event.decoded("dtstart")
    assert start == datetime.datetime(2026, 3, 20, 14, 30, tzinfo=AMSTERDAM)
    assert event["dtstart"].params["TZID"] == "Europe/Amsterdam"
    assert event.decoded("duration") == datetime.timedelta(minutes=75)
    assert str(event["location"]) == "Koffiebar"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]


def test_times_stay_right_on_both_sides_of_the_summer_time_change(client, old_pair):
    # Summer time starts on 29 March 2026: 10:00 is 09:00 UTC before and 08:00 UTC after.
    before = MeetingFactory(match=old_pair, starts_at=local(2026, 3, 27, 10))
    after = MeetingFactory(match=old_pair, starts_at=local(2026, 3, 31, 10))
    client.force_login(old_pair.mentor)

    starts = {}
    for meeting in (before, after):
        _calendar, (event,) = _events(client.get(reverse("meetings:ics", args=[meeting.pk])).content)
        starts[meeting.pk] = event.decoded("dtstart")

    assert starts[before.pk].astimezone(datetime.UTC).hour == 9
    assert starts[after.pk].astimezone(datetime.UTC).hour == 8
    assert starts[before.pk].astimezone(AMSTERDAM).hour == starts[after.pk].astimezone(AMSTERDAM).hour == 10


def test_the_summary_names_the_partner_of_whoever_downloads(client, old_pair):
    meeting = MeetingFactory(match=old_pair, starts_at=local(2026, 5, 4, 9))
    client.force_login(old_pair.mentor)

    _calendar, (event,) = _events(client.get(reverse("meetings:ics", args=[meeting.pk])).content)

    assert str(event["summary"]) == f"Mentorafspraak met {old_pair.mentee}"


def test_the_feed_lists_the_members_meetings_and_nothing_else(client, old_pair, other_member):
    planned = MeetingFactory(
        match=old_pair,
        starts_at=local(2026, 6, 1, 10),
        mode=Meeting.Mode.VIRTUAL,
        video_url="https://video.example.org/abc",
        location="",
    )
    MeetingFactory(match=old_pair, starts_at=local(2026, 6, 8, 10), status=Meeting.Status.CANCELLED)
    MeetingFactory(match=other_member.matches_as_mentee.get())
    services.private_note_save(meeting=planned, author=old_pair.mentee, text="Heel persoonlijk")
    feed = services.calendar_feed_renew(user=old_pair.mentee)

    # A calendar app fetches without logging in: the token is the key.
    response = client.get(reverse("meetings:feed", args=[feed.token]))

    assert response.status_code == 200
    _calendar, events = _events(response.content)
    assert [event.decoded("dtstart") for event in events] == [datetime.datetime(2026, 6, 1, 10, tzinfo=AMSTERDAM)]
    assert str(events[0]["location"]) == "https://video.example.org/abc"
    assert b"Heel persoonlijk" not in response.content


def test_a_revoked_or_renewed_feed_token_is_404(client, old_pair):
    first = services.calendar_feed_renew(user=old_pair.mentee)
    second = services.calendar_feed_renew(user=old_pair.mentee)

    assert client.get(reverse("meetings:feed", args=[first.token])).status_code == 404
    assert client.get(reverse("meetings:feed", args=[second.token])).status_code == 200

    services.calendar_feed_revoke(user=old_pair.mentee)

    assert client.get(reverse("meetings:feed", args=[second.token])).status_code == 404
    assert client.get(reverse("meetings:feed", args=["made-up-token"])).status_code == 404
    assert client.get(reverse("meetings:feed", args=["x" * 500])).status_code == 404


def test_a_deactivated_members_feed_stops(client, old_pair):
    feed = services.calendar_feed_renew(user=old_pair.mentee)
    old_pair.mentee.is_active = False
    old_pair.mentee.save()

    assert client.get(reverse("meetings:feed", args=[feed.token])).status_code == 404


@pytest.mark.parametrize("viewer", ["anonymous", "other member", "coordinator", "author", "partner"])
def test_calendar_settings_page_is_personal(client, old_pair, other_member, coordinator, viewer):
    users = {
        "anonymous": None,
        "other member": other_member,
        "coordinator": coordinator,
        "author": old_pair.mentee,
        "partner": old_pair.mentor,
    }
    mentee_feed = services.calendar_feed_renew(user=old_pair.mentee)
    if users[viewer]:
        client.force_login(users[viewer])

    response = client.get(reverse("meetings:calendar"))

    if viewer == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    # Each member sees only her own link.
    assert (mentee_feed.token in response.content.decode()) is (viewer == "author")


def test_members_create_renew_and_revoke_their_link_on_the_page(client, old_pair):
    client.force_login(old_pair.mentor)

    client.post(reverse("meetings:calendar"), {"action": "renew"})
    first = old_pair.mentor.calendar_feeds.get(revoked_at__isnull=True)
    client.post(reverse("meetings:calendar"), {"action": "renew"})
    second = old_pair.mentor.calendar_feeds.get(revoked_at__isnull=True)
    client.post(reverse("meetings:calendar"), {"action": "revoke"})

    assert first.token != second.token
    assert not old_pair.mentor.calendar_feeds.filter(revoked_at__isnull=True).exists()
    assert client.get(reverse("meetings:feed", args=[second.token])).status_code == 404


@pytest.mark.parametrize(
    ("local_day", "utc_hour"),
    [
        # Summer time starts on Sunday 29 March 2026 and ends on Sunday 25 October 2026.
        ((2026, 3, 27), 9),  # Friday before: CET, UTC+1
        ((2026, 3, 30), 8),  # Monday after: CEST, UTC+2
        ((2026, 10, 23), 8),  # Friday before: CEST, UTC+2
        ((2026, 10, 26), 9),  # Monday after: CET, UTC+1
    ],
)
def test_the_feed_keeps_amsterdam_time_across_both_daylight_saving_changes(client, old_pair, local_day, utc_hour):
    MeetingFactory(match=old_pair, starts_at=local(*local_day, 10), duration_minutes=90)
    feed = services.calendar_feed_renew(user=old_pair.mentor)

    calendar, (event,) = _events(client.get(reverse("meetings:feed", args=[feed.token])).content)

    assert event["dtstart"].params["TZID"] == "Europe/Amsterdam"
    assert event["dtstart"].to_ical() == f"{local_day[0]}{local_day[1]:02}{local_day[2]:02}T100000".encode()
    start = event.decoded("dtstart")
    assert start == datetime.datetime(*local_day, 10, tzinfo=AMSTERDAM)
    assert start.astimezone(datetime.UTC).hour == utc_hour
    assert event.decoded("duration") == datetime.timedelta(minutes=90)
    # The VTIMEZONE tells calendar apps both offsets, so they need no zone database of their own.
    (zone,) = calendar.walk("VTIMEZONE")
    assert {str(part["tzname"]) for part in zone.walk() if part.name in ("STANDARD", "DAYLIGHT")} >= {"CET", "CEST"}


def test_a_meeting_across_the_october_change_keeps_its_real_length(client, old_pair):
    # 25 October 2026: the clock goes back from 03:00 to 02:00, so 01:30–03:30 on the wall lasts three hours.
    client.force_login(old_pair.mentee)
    data = {"date": "2026-10-25", "start_time": "01:30", "end_time": "03:30", "mode": "in_person", "location": "x"}

    response = client.post(reverse("meetings:create", args=[old_pair.pk]), data)

    assert response.status_code == 302
    meeting = old_pair.meetings.get()
    assert meeting.duration_minutes == 180
    _calendar, (event,) = _events(client.get(reverse("meetings:ics", args=[meeting.pk])).content)
    assert event.decoded("duration") == datetime.timedelta(minutes=180)


@pytest.mark.parametrize("status", [Match.Status.COMPLETED, Match.Status.ENDED_EARLY])
def test_an_ended_pairs_planned_meetings_leave_the_feed_its_history_stays(client, old_pair, status):
    held = MeetingFactory(match=old_pair, starts_at=local(2026, 2, 2, 10), status=Meeting.Status.HELD)
    planned = MeetingFactory(match=old_pair, starts_at=local(2026, 12, 1, 10))
    feed = services.calendar_feed_renew(user=old_pair.mentee)
    Match.objects.filter(pk=old_pair.pk).update(status=status)

    _calendar, events = _events(client.get(reverse("meetings:feed", args=[feed.token])).content)

    uids = [str(event["uid"]) for event in events]
    assert uids == [f"{held.uid}@mentorprogramma"]
    assert f"{planned.uid}@mentorprogramma" not in uids


@pytest.mark.parametrize(("start", "end", "field"), [("02:30", "03:30", "start_time"), ("01:00", "02:15", "end_time")])
def test_a_time_in_the_hour_the_spring_change_skips_is_refused_not_moved(client, old_pair, start, end, field):
    # 29 March 2026: the clock goes forward from 02:00 to 03:00, so 02:00–02:59 does not exist.
    client.force_login(old_pair.mentee)
    data = {"date": "2026-03-29", "start_time": start, "end_time": end, "mode": "in_person", "location": "x"}

    response = client.post(reverse("meetings:create", args=[old_pair.pk]), data)

    assert response.status_code == 200
    assert not old_pair.meetings.exists()
    (message,) = response.context["form"].errors[field]
    assert "bestaat niet op 29 maart 2026" in message
    assert 'value="2026-03-29"' in response.content.decode()  # what she typed stays
