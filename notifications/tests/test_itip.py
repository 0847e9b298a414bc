"""Issue 28 §1: calendar updates every client accepts (iTIP, RFC 5546), checked by parsing each .ics.

One ORGANIZER for the meeting's whole life (the programme), both partners as ATTENDEE, METHOD matching
the change, SEQUENCE increasing; nothing to add to a calendar for a meeting already over; the file
named in the mail's language.
"""

import datetime

import icalendar
import pytest
from django.conf import settings
from django.utils import timezone

from accounts.tests.factories import MemberFactory
from matching.tests.factories import ActiveMatchFactory
from meetings import services as meeting_services
from notifications.tests.conftest import bodies

pytestmark = pytest.mark.django_db


def _invitation(email):
    parts = [part for part in email.attachments if part.get_content_type() == "text/calendar"]
    if not parts:
        return None
    (part,) = parts
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    return {
        "method": str(calendar["method"]),
        "part_method": part.get_param("method"),
        "filename": part.get_filename(),
        "organizer": str(event["organizer"]),
        "attendees": {str(attendee) for attendee in event.get("attendee")},
        "sequence": int(event["sequence"]),
        "uid": str(event["uid"]),
        "status": str(event["status"]),
    }


@pytest.fixture
def pair():
    return ActiveMatchFactory(
        mentor=MemberFactory(language="en"),
        mentee=MemberFactory(language="nl"),
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )


def test_every_update_comes_from_one_organizer_to_both_partners(pair, mailoutbox, django_capture_on_commit_callbacks):
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        # The mentee plans; the MENTOR moves it, then the mentee moves it, then the mentor cancels.
        meeting = meeting_services.meeting_plan(match=pair, by=pair.mentee, starts_at=starts, duration_minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_update(meeting=meeting, by=pair.mentor, starts_at=starts + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_update(meeting=meeting, by=pair.mentee, starts_at=starts + datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_cancel(meeting=meeting, by=pair.mentor)

    sent = [(email.to[0], _invitation(email)) for email in mailoutbox]
    assert [recipient for recipient, _ics in sent] == [
        pair.mentor.email,
        pair.mentee.email,
        pair.mentor.email,
        pair.mentee.email,
    ]
    invitations = [ics for _recipient, ics in sent]
    programme = f"mailto:{settings.PROGRAMME_CONTACT_EMAIL}"
    both = {f"mailto:{pair.mentor.email}", f"mailto:{pair.mentee.email}"}
    # The same organizer across the meeting's life, never one of the partners.
    assert {ics["organizer"] for ics in invitations} == {programme}
    assert all(ics["attendees"] == both for ics in invitations)
    assert len({ics["uid"] for ics in invitations}) == 1
    sequences = [ics["sequence"] for ics in invitations]
    assert sequences == sorted(sequences) and len(set(sequences)) == 4
    assert [ics["method"] for ics in invitations] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert all(ics["part_method"] == ics["method"] for ics in invitations)
    assert invitations[-1]["status"] == "CANCELLED"
    # Named in the mail's language: the mentor reads English, the mentee Dutch.
    assert [ics["filename"] for ics in invitations] == ["meeting.ics", "afspraak.ics", "meeting.ics", "afspraak.ics"]


def test_a_meeting_logged_after_it_took_place_sends_no_invitation(pair, mailoutbox, django_capture_on_commit_callbacks):
    held = timezone.now().replace(microsecond=0) - datetime.timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_plan(match=pair, by=pair.mentee, starts_at=held, duration_minutes=60)

    (told,) = mailoutbox
    assert told.to == [pair.mentor.email]
    assert _invitation(told) is None
    assert "already taken place" in bodies(told) and "attachment" not in bodies(told)
