"""Jobs that read the pair's meetings: the six-week nudge and the R10 reminder, on the meetings app's factories.

That no private note reaches any mail is shown through the real note service in test_programme_year.py.
"""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from matching.tests.factories import ActiveMatchFactory
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from notifications import services
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
HELD, PLANNED, CANCELLED = Meeting.Status.HELD, Meeting.Status.PLANNED, Meeting.Status.CANCELLED
# Dates around the real today, so a meeting "held" is really in the past for any check the meetings app makes.
START = timezone.localdate() - datetime.timedelta(days=20)
PLANNED_END = START + relativedelta(months=12)
SIX_WEEKS = START + datetime.timedelta(weeks=6)
TWO_MONTHS_BEFORE_END = PLANNED_END - relativedelta(months=2)


def meeting(pair, status=HELD, day=None):
    day = day or START + datetime.timedelta(days=3)
    return MeetingFactory(
        match=pair,
        status=status,
        starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
        status_changed_by=pair.mentor if status != PLANNED else None,
        status_changed_at=timezone.now() if status != PLANNED else None,
    )


def run_daily(day, django_capture_on_commit_callbacks):
    moment = datetime.datetime.combine(day, datetime.time(7))
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return services.daily_jobs_run()


def kinds_to(sent, user):
    return [email.subject for email in sent if email.to == [user.email]]


@pytest.fixture
def pair():
    return ActiveMatchFactory(start_date=START, planned_end=PLANNED_END)


def test_a_pair_without_a_held_meeting_gets_a_nudge_six_weeks_after_the_start(
    pair, sent, django_capture_on_commit_callbacks
):
    meeting(pair, status=PLANNED)  # planned is not held
    meeting(pair, status=CANCELLED)

    run_daily(SIX_WEEKS - datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert sent == []

    counts = run_daily(SIX_WEEKS, django_capture_on_commit_callbacks)

    assert counts[Kind.QUIET_PAIR_NUDGE] == 2
    assert kinds_to(sent, pair.mentee) == ["Hoe gaat het met je mentorschap?"]
    assert kinds_to(sent, pair.mentor) == ["Hoe gaat het met je mentorschap?"]
    to_mentee = next(email for email in sent if email.to == [pair.mentee.email])
    assert pair.mentor.full_name in to_mentee.body


def test_a_pair_that_met_gets_no_nudge(pair, sent, django_capture_on_commit_callbacks):
    meeting(pair, status=HELD)

    run_daily(SIX_WEEKS, django_capture_on_commit_callbacks)

    assert sent == []


def test_the_nudge_is_sent_once_however_often_the_job_runs(pair, sent, django_capture_on_commit_callbacks):
    for day in [SIX_WEEKS, SIX_WEEKS, SIX_WEEKS + datetime.timedelta(days=1), SIX_WEEKS + datetime.timedelta(days=30)]:
        run_daily(day, django_capture_on_commit_callbacks)

    assert len(sent) == 2


def test_the_nudge_is_in_english_for_a_member_who_reads_english(pair, sent, django_capture_on_commit_callbacks):
    pair.mentor.language = "en"
    pair.mentor.save()

    run_daily(SIX_WEEKS, django_capture_on_commit_callbacks)

    assert kinds_to(sent, pair.mentor) == ["How is your mentorship going?"]


def test_r10_reminder_two_months_before_the_end_with_fewer_than_two_meetings_held(
    pair, sent, django_capture_on_commit_callbacks
):
    # R10: at least two meetings; one held and one cancelled is not enough.
    meeting(pair, status=HELD)
    meeting(pair, status=CANCELLED)
    met_twice = ActiveMatchFactory(start_date=START, planned_end=PLANNED_END)
    meeting(met_twice, status=HELD)
    meeting(met_twice, status=HELD, day=START + datetime.timedelta(days=10))

    run_daily(TWO_MONTHS_BEFORE_END - datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert [e for e in sent if "twee" in e.subject] == []

    run_daily(TWO_MONTHS_BEFORE_END, django_capture_on_commit_callbacks)

    reminders = [email for email in sent if email.subject == "Ten minste twee afspraken tijdens je mentorschap"]
    assert sorted(email.to[0] for email in reminders) == sorted([pair.mentor.email, pair.mentee.email])
    assert kinds_to(sent, met_twice.mentor) == []


def test_r10_reminder_in_english(pair, sent, django_capture_on_commit_callbacks):
    pair.mentee.language = "en"
    pair.mentee.save()

    run_daily(TWO_MONTHS_BEFORE_END, django_capture_on_commit_callbacks)

    assert kinds_to(sent, pair.mentee) == ["At least two meetings during your mentorship"]


def test_a_quiet_pair_near_its_end_gets_the_r10_reminder_not_also_the_nudge(
    pair, sent, django_capture_on_commit_callbacks
):
    run_daily(TWO_MONTHS_BEFORE_END, django_capture_on_commit_callbacks)

    assert not OutboxMessage.objects.filter(kind=Kind.QUIET_PAIR_NUDGE).exists()
    assert OutboxMessage.objects.filter(kind=Kind.MEETINGS_REMINDER).count() == 2
