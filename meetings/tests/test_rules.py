"""The two rules on how often a pair meets, each defined once here and asked by the cockpit, digest and jobs."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from matching.models import Match
from matching.tests.factories import ActiveMatchFactory
from meetings import selectors
from meetings.models import Meeting

from .factories import HeldMeetingFactory, MeetingFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def held(match, count):
    for days in range(count):
        HeldMeetingFactory(match=match, starts_at=timezone.now() - datetime.timedelta(days=days + 1))


def test_a_pair_is_quiet_six_weeks_after_its_start_without_a_meeting_held():
    quiet = ActiveMatchFactory(start_date=TODAY - selectors.NO_MEETING_ALERT_AFTER)
    ActiveMatchFactory(start_date=TODAY - selectors.NO_MEETING_ALERT_AFTER + datetime.timedelta(days=1))  # too soon
    met = ActiveMatchFactory(start_date=TODAY - datetime.timedelta(weeks=10))
    held(met, 1)
    planned_only = ActiveMatchFactory(start_date=TODAY - datetime.timedelta(weeks=10))
    MeetingFactory(match=planned_only)  # planned is not held
    ActiveMatchFactory(start_date=TODAY - datetime.timedelta(weeks=10), status=Match.Status.COMPLETED)

    assert datetime.timedelta(weeks=6) == selectors.NO_MEETING_ALERT_AFTER
    assert set(selectors.quiet_pairs(today=TODAY)) == {quiet, planned_only}


@pytest.mark.parametrize("count, short", [(0, True), (1, True), (2, False), (3, False)])
def test_r10_a_pair_with_fewer_than_two_meetings_held_and_two_months_left_is_short(count, short):
    pair = ActiveMatchFactory(start_date=TODAY - relativedelta(months=11), planned_end=TODAY + relativedelta(months=1))
    held(pair, count)
    MeetingFactory(match=pair, status=Meeting.Status.CANCELLED, starts_at=timezone.now() - datetime.timedelta(days=9))

    assert selectors.REQUIRED_MEETINGS == 2
    assert (pair in selectors.pairs_short_of_meetings(today=TODAY)) is short


def test_r10_only_within_two_months_of_the_planned_end():
    early = ActiveMatchFactory(start_date=TODAY - relativedelta(months=9), planned_end=TODAY + relativedelta(months=3))
    edge = ActiveMatchFactory(start_date=TODAY - relativedelta(months=10), planned_end=TODAY + relativedelta(months=2))
    past = ActiveMatchFactory(start_date=TODAY - relativedelta(months=12), planned_end=TODAY)

    found = set(selectors.pairs_short_of_meetings(today=TODAY))

    assert edge in found
    assert early not in found and past not in found
