"""The daily job (renewal question, R5), on a controlled clock (the weekly digest: coordination/tests)."""

import datetime

import pytest
import time_machine

from matching.models import Match
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory
from notifications import tasks
from notifications.emails.pairs import renewal_url
from notifications.models import OutboxMessage
from notifications.tests.conftest import bodies, of_kind

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
START = datetime.date(2027, 1, 15)
PLANNED_END = datetime.date(2028, 1, 15)
SECRET_QUESTION = "Mijn leidinggevende en ik botsen over mijn deeltijd (vertrouwelijk)"


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 0)), tick=False)


@pytest.fixture
def pair():
    return ActiveMatchFactory(start_date=START, planned_end=PLANNED_END)


def run_daily(day, django_capture_on_commit_callbacks):
    with on(day), django_capture_on_commit_callbacks(execute=True):
        return tasks.run_daily_jobs.delay().get()


def renewal_mails(sent):
    # Other jobs may write to the same pair on these days (R10 once meetings exist): look at R5 only.
    return of_kind(sent, Kind.RENEWAL_QUESTION)


def test_the_renewal_question_goes_to_both_one_month_before_the_planned_end(
    pair, sent, django_capture_on_commit_callbacks
):
    # R5: a day early nothing, on the day both partners are asked.
    run_daily(datetime.date(2027, 12, 14), django_capture_on_commit_callbacks)
    assert renewal_mails(sent) == []

    counts = run_daily(datetime.date(2027, 12, 15), django_capture_on_commit_callbacks)

    assert counts[Kind.RENEWAL_QUESTION] == 2
    assert sorted(email.to[0] for email in renewal_mails(sent)) == sorted([pair.mentor.email, pair.mentee.email])
    to_mentee = next(email for email in renewal_mails(sent) if email.to == [pair.mentee.email])
    assert to_mentee.subject == "Wil je je mentorschap voortzetten?"
    assert pair.mentor.full_name in to_mentee.body
    assert "15 januari 2028" in to_mentee.body
    assert renewal_url(pair, "yes") in to_mentee.body
    assert renewal_url(pair, "no") in to_mentee.body


def test_the_renewal_question_is_in_the_recipients_language(pair, sent, django_capture_on_commit_callbacks):
    pair.mentor.language = "en"
    pair.mentor.save()

    run_daily(datetime.date(2027, 12, 20), django_capture_on_commit_callbacks)

    to_mentor = next(email for email in renewal_mails(sent) if email.to == [pair.mentor.email])
    assert to_mentor.subject == "Would you like to continue your mentorship?"
    assert "15 January 2028" in to_mentor.body
    to_mentee = next(email for email in renewal_mails(sent) if email.to == [pair.mentee.email])
    assert to_mentee.subject == "Wil je je mentorschap voortzetten?"


def test_running_the_daily_job_twice_or_every_day_asks_once(pair, sent, django_capture_on_commit_callbacks):
    for day in [datetime.date(2027, 12, 15), datetime.date(2027, 12, 15), datetime.date(2027, 12, 16)]:
        run_daily(day, django_capture_on_commit_callbacks)

    assert len(renewal_mails(sent)) == 2
    assert OutboxMessage.objects.filter(kind=Kind.RENEWAL_QUESTION).count() == 2


def test_pairs_that_ended_or_have_passed_their_end_are_not_asked(pair, sent, django_capture_on_commit_callbacks):
    ended = ActiveMatchFactory(start_date=START, planned_end=PLANNED_END)
    Match.objects.filter(pk=ended.pk).update(status=Match.Status.ENDED_EARLY)

    run_daily(PLANNED_END, django_capture_on_commit_callbacks)

    assert renewal_mails(sent) == []


def test_the_mentorvraag_is_never_in_the_renewal_question(pair, sent, django_capture_on_commit_callbacks):
    ApplicationFactory(cycle=pair.cycle, member=pair.mentee, mentoring_question=SECRET_QUESTION)

    run_daily(datetime.date(2027, 12, 15), django_capture_on_commit_callbacks)

    assert len(renewal_mails(sent)) == 2
    assert all(SECRET_QUESTION not in bodies(email) for email in sent)


def test_the_beat_schedule_runs_the_jobs_daily_and_the_delivery_every_minute(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["notifications.run_daily_jobs"].hour == {7}
    assert schedule["notifications.deliver_due"] == 60.0
    assert set(schedule) <= set(tasks_registered())


def tasks_registered():
    from mentorprogramma.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    return list(app.tasks)


def test_the_command_runs_the_jobs_for_a_given_day(pair, sent, capsys):
    from django.core.management import call_command

    call_command("send_due_notifications", "--day", "2027-12-15")

    assert "renewal_question: 2 recorded" in capsys.readouterr().out
    assert len(renewal_mails(sent)) == 2
