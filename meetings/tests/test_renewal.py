"""R5: a renewed pair keeps the meetings it already planned in its new term."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory
from matching import renewal as matching_renewal
from matching.tests.factories import ActiveMatchFactory
from meetings import selectors, services
from meetings.models import Meeting

from .factories import HeldMeetingFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ending_pair():
    """A pair in the last weeks of its year."""
    start = timezone.localdate() - relativedelta(months=11, days=20)
    return ActiveMatchFactory(start_date=start, planned_end=start + relativedelta(months=12))


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_meetings_planned_in_the_new_terms_time_move_to_it(ending_pair, django_capture_on_commit_callbacks):
    held = HeldMeetingFactory(match=ending_pair)
    this_term = MeetingFactory(match=ending_pair, starts_at=_at(ending_pair.planned_end - datetime.timedelta(days=2)))
    next_term = MeetingFactory(
        match=ending_pair, starts_at=_at(ending_pair.planned_end + datetime.timedelta(days=14)), is_introduction=True
    )
    for member in (ending_pair.mentor, ending_pair.mentee):
        matching_renewal.renewal_answer_record(match=ending_pair, member=member, wants_to_continue=True)

    with django_capture_on_commit_callbacks(execute=True):
        new_term = matching_renewal.match_renew(match=ending_pair, by=CoordinatorFactory())

    for meeting in (held, this_term, next_term):
        meeting.refresh_from_db()
    assert held.match == ending_pair
    assert this_term.match == ending_pair
    assert next_term.match == new_term
    assert not next_term.is_introduction
    # The new term's pair page shows it as the next meeting, and the pair can still act on it.
    assert selectors.pair_progress(match=new_term).next_planned == next_term
    with pytest.raises(ValidationError, match="zodra die begonnen is"):
        services.meeting_mark_held(meeting=next_term, by=new_term.mentor)
    assert services.meeting_cancel(meeting=next_term, by=new_term.mentee).status == Meeting.Status.CANCELLED


def test_a_first_term_activation_moves_nothing(pair):
    MeetingFactory(match=pair)

    assert services.meetings_carry_to_new_term(new_term=pair) == 0
    assert pair.meetings.count() == 1
