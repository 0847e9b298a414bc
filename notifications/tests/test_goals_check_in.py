"""Issue 26 §2: halfway through the term both partners get one check-in "Hoe staan jullie doelen ervoor?"."""

import datetime

import pytest
import time_machine

from goals import services as goal_services
from goals.selectors import CHECK_IN_WINDOW, pairs_due_check_in
from goals.tests.factories import GoalFactory
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory
from notifications import tasks
from notifications.emails.pairs import goals_url
from notifications.models import OutboxMessage
from notifications.tests.conftest import bodies, of_kind

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
START = datetime.date(2027, 1, 15)
PLANNED_END = datetime.date(2028, 1, 15)
HALFWAY = datetime.date(2027, 7, 16)  # 365 days: 182.5 days after the start
MARKER = "GEHEIM-DOEL-halfway-5e1"


def run_daily(day, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 0)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return tasks.run_daily_jobs.delay().get()


@pytest.fixture
def pair():
    return ActiveMatchFactory(start_date=START, planned_end=PLANNED_END)


def test_the_halfway_date_has_one_home_on_the_pair(pair):
    assert pair.halfway_date == HALFWAY
    assert Match(start_date=None, planned_end=PLANNED_END).halfway_date is None
    # A renewed or shorter term has its own halfway point.
    assert Match(start_date=START, planned_end=datetime.date(2027, 7, 15)).halfway_date == datetime.date(2027, 4, 15)


def test_the_check_in_is_due_from_halfway_for_a_while_and_only_for_active_pairs(pair):
    ended = ActiveMatchFactory(start_date=START, planned_end=PLANNED_END)
    Match.objects.filter(pk=ended.pk).update(status=Match.Status.ENDED_EARLY)

    assert pairs_due_check_in(day=HALFWAY - datetime.timedelta(days=1)) == []
    assert pairs_due_check_in(day=HALFWAY) == [pair]
    assert pairs_due_check_in(day=HALFWAY + CHECK_IN_WINDOW) == [pair]
    assert pairs_due_check_in(day=HALFWAY + CHECK_IN_WINDOW + datetime.timedelta(days=1)) == []


def test_both_get_one_check_in_however_often_the_job_runs(pair, sent, django_capture_on_commit_callbacks):
    GoalFactory(match=pair, text=MARKER)
    run_daily(HALFWAY - datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert of_kind(sent, Kind.GOALS_CHECK_IN) == []

    for day in (HALFWAY, HALFWAY, HALFWAY + datetime.timedelta(days=3)):
        run_daily(day, django_capture_on_commit_callbacks)

    mails = of_kind(sent, Kind.GOALS_CHECK_IN)
    assert sorted(email.to[0] for email in mails) == sorted([pair.mentor.email, pair.mentee.email])
    assert OutboxMessage.objects.filter(kind=Kind.GOALS_CHECK_IN).count() == 2
    to_mentee = next(email for email in mails if email.to == [pair.mentee.email])
    assert to_mentee.subject == "Hoe staan jullie doelen ervoor?"
    assert goals_url(pair) in to_mentee.body
    assert "jullie doelen" in bodies(to_mentee)


def test_the_check_in_never_carries_a_goal_text_or_note(pair, sent, django_capture_on_commit_callbacks):
    goal = GoalFactory(match=pair, text=f"{MARKER} doel", next_step=f"{MARKER} stap")
    goal_services.goals_progress_record(match=pair, by=pair.mentor, notes={goal.pk: f"{MARKER} voortgang"})

    run_daily(HALFWAY, django_capture_on_commit_callbacks)

    mails = of_kind(sent, Kind.GOALS_CHECK_IN)
    assert len(mails) == 2
    assert all(MARKER not in bodies(email) for email in sent)
    for row in OutboxMessage.objects.values():
        assert all(MARKER not in str(value) for value in row.values())


def test_a_pair_without_goals_is_invited_to_set_them(pair, sent, django_capture_on_commit_callbacks):
    pair.mentor.language = "en"
    pair.mentor.save()

    run_daily(HALFWAY, django_capture_on_commit_callbacks)

    to_mentor = next(email for email in of_kind(sent, Kind.GOALS_CHECK_IN) if email.to == [pair.mentor.email])
    assert to_mentor.subject == "How are your goals coming along?"
    assert "not set goals yet" in to_mentor.body
