"""Issue 26 §4: the day-before reminder and "did it happen?", exactly once per meeting, whatever the jobs do."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from matching.models import Match
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from notifications import delivery, services, tasks
from notifications.emails.build import build_email
from notifications.models import OutboxMessage
from notifications.tests.conftest import bodies

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
DAY = timezone.localdate() + datetime.timedelta(days=5)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def planned(**fields):
    """A meeting on DAY at 10:00-11:00, planned by the mentee a week before."""
    fields.setdefault("starts_at", at(DAY, 10))
    fields.setdefault("created_at", at(DAY, 10) - datetime.timedelta(days=7))
    return MeetingFactory(**fields)


def run_everything():
    """The every-minute job, the daily job and delivery, as beat may start them in one minute."""
    tasks.record_meeting_messages()
    services.daily_jobs_run()
    services.meeting_messages_record()
    delivery.outbox_deliver_due()


def rows(kind):
    return list(OutboxMessage.objects.filter(kind=kind).order_by("recipient_id"))


def test_one_reminder_to_each_partner_the_day_before_from_the_configured_hour(settings):
    settings.MEETING_REMINDER_HOUR = 18
    meeting = planned()
    with time_machine.travel(at(DAY - datetime.timedelta(days=1), 17, 59), tick=False):
        run_everything()
    assert rows(Kind.MEETING_TOMORROW) == []
    for minute in (0, 1, 30):
        with time_machine.travel(at(DAY - datetime.timedelta(days=1), 18, minute), tick=False):
            run_everything()
            run_everything()
    with time_machine.travel(at(DAY, 9, 59), tick=False):
        run_everything()
    reminders = rows(Kind.MEETING_TOMORROW)
    assert sorted(m.recipient_id for m in reminders) == sorted([meeting.match.mentor_id, meeting.match.mentee_id])
    assert all(m.status == OutboxMessage.Status.SENT for m in reminders)
    assert rows(Kind.MEETING_HELD_QUESTION) == []


def test_the_reminder_carries_date_time_place_video_link_and_the_calendar_file(settings):
    settings.MEETING_REMINDER_HOUR = 18
    meeting = planned(mode=Meeting.Mode.VIRTUAL, location="Teams", video_url="https://meet.example.org/abc")
    with time_machine.travel(at(DAY - datetime.timedelta(days=1), 19), tick=False):
        services.meeting_messages_record()
    for message in rows(Kind.MEETING_TOMORROW):
        with time_machine.travel(at(DAY - datetime.timedelta(days=1), 19), tick=False):
            email = build_email(message)
        text = bodies(email)
        assert "10:00" in text and "11:00" in text and "Teams" in text and "https://meet.example.org/abc" in text
        assert str(DAY.day) in text
        calendars = [part for part in email.attachments if "calendar" in part.get_content_type()]
        assert len(calendars) == 1
        ics = calendars[0].get_payload(decode=True).decode()
        assert f"UID:{meeting.uid}@mentorprogramma" in ics
    # The mentor reads her partner's name, the mentee hers.
    mentor_mail = build_email(OutboxMessage.objects.get(kind=Kind.MEETING_TOMORROW, recipient=meeting.match.mentor))
    assert meeting.match.mentee.full_name in mentor_mail.subject


def test_after_the_end_only_the_planner_is_asked_once(settings):
    meeting = planned(created_by=None)
    meeting.created_by = meeting.match.mentor
    meeting.save()
    with time_machine.travel(at(DAY, 10, 59), tick=False):
        run_everything()
    assert rows(Kind.MEETING_HELD_QUESTION) == []
    for hour, minute in ((11, 0), (11, 1), (12, 0), (23, 59)):
        with time_machine.travel(at(DAY, hour, minute), tick=False):
            run_everything()
    with time_machine.travel(at(DAY + datetime.timedelta(days=1), 7), tick=False):
        run_everything()
    questions = rows(Kind.MEETING_HELD_QUESTION)
    assert [m.recipient_id for m in questions] == [meeting.match.mentor_id]
    email = build_email(questions[0])
    assert email.subject == "Is jullie afspraak doorgegaan?"
    links = re.findall(r"https?://\S+/afspraken/doorgegaan/[^/\s\"]+/", email.body)
    assert len(links) == 3


def test_no_question_once_the_meeting_was_logged_and_none_long_after():
    held = planned()
    with time_machine.travel(at(DAY, 10, 30), tick=False):
        Meeting.objects.filter(pk=held.pk).update(status=Meeting.Status.HELD)
    old = planned(starts_at=at(DAY - datetime.timedelta(days=10), 10))
    with time_machine.travel(at(DAY, 12), tick=False):
        run_everything()
    assert rows(Kind.MEETING_HELD_QUESTION) == []
    assert not OutboxMessage.objects.filter(subject_id=old.pk, kind=Kind.MEETING_TOMORROW).exists()


@pytest.mark.parametrize("pair_status", [Match.Status.COMPLETED, Match.Status.ENDED_EARLY])
def test_none_for_a_pair_that_ended(pair_status):
    meeting = planned()
    Match.objects.filter(pk=meeting.match_id).update(status=pair_status)
    for moment in (at(DAY - datetime.timedelta(days=1), 20), at(DAY, 12)):
        with time_machine.travel(moment, tick=False):
            run_everything()
    assert rows(Kind.MEETING_TOMORROW) == rows(Kind.MEETING_HELD_QUESTION) == []


def test_none_for_a_cancelled_meeting():
    planned(status=Meeting.Status.CANCELLED)
    for moment in (at(DAY - datetime.timedelta(days=1), 20), at(DAY, 12)):
        with time_machine.travel(moment, tick=False):
            run_everything()
    assert rows(Kind.MEETING_TOMORROW) == rows(Kind.MEETING_HELD_QUESTION) == []


def test_none_for_a_meeting_planned_after_its_start():
    planned(created_at=at(DAY, 12))
    for moment in (at(DAY - datetime.timedelta(days=1), 20), at(DAY, 12, 30)):
        with time_machine.travel(moment, tick=False):
            run_everything()
    assert rows(Kind.MEETING_TOMORROW) == rows(Kind.MEETING_HELD_QUESTION) == []


def test_planned_after_the_reminder_moment_no_reminder_but_still_the_question(settings):
    settings.MEETING_REMINDER_HOUR = 18
    planned(created_at=at(DAY - datetime.timedelta(days=1), 21))
    for moment in (at(DAY - datetime.timedelta(days=1), 22), at(DAY, 12)):
        with time_machine.travel(moment, tick=False):
            run_everything()
    assert rows(Kind.MEETING_TOMORROW) == []
    assert len(rows(Kind.MEETING_HELD_QUESTION)) == 1


def test_a_meeting_moved_to_another_day_is_reminded_again_for_its_new_time(settings):
    settings.MEETING_REMINDER_HOUR = 18
    meeting = planned()
    with time_machine.travel(at(DAY - datetime.timedelta(days=1), 19), tick=False):
        run_everything()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=at(DAY + datetime.timedelta(days=7), 10))
    with time_machine.travel(at(DAY + datetime.timedelta(days=6), 19), tick=False):
        run_everything()
        run_everything()
    assert len(rows(Kind.MEETING_TOMORROW)) == 4
