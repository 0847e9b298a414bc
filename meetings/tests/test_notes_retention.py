"""Issue 24: the private-notes retention job reads in a fixed number of queries, whatever the number of pairs."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import RetentionNotice
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory
from meetings import personal_data
from meetings import services as meeting_services
from meetings.models import PrivateNote
from meetings.tests.factories import HeldMeetingFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2027, 1, 10)
ENDED = START + relativedelta(months=24)
EXPIRES = ENDED + relativedelta(months=12)


def noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def renewed_pair_with_notes():
    """A pair in its second term that ended, with a note of each partner in each term."""
    first = ActiveMatchFactory(
        start_date=START, status=Match.Status.COMPLETED, ended_on=START + relativedelta(months=12)
    )
    second = ActiveMatchFactory(
        cycle=first.cycle,
        mentor=first.mentor,
        mentee=first.mentee,
        start_date=first.ended_on,
        term=2,
        previous_term=first,
        status=Match.Status.COMPLETED,
        ended_on=ENDED,
    )
    for term in (first, second):
        meeting = HeldMeetingFactory(match=term, starts_at=noon(term.start_date + datetime.timedelta(days=20)))
        for author in (term.mentor, term.mentee):
            meeting_services.private_note_save(meeting=meeting, author=author, text="Alleen voor mij.")
    return second


def purge_queries(day, *, dry_run):
    with time_machine.travel(noon(day), tick=False), CaptureQueriesContext(connection) as queries:
        lines = personal_data.purge(today=day, dry_run=dry_run)
    return lines, len(queries)


def test_the_job_reads_in_the_same_number_of_queries_for_two_pairs_and_for_six():
    pairs = [renewed_pair_with_notes() for _ in range(2)]
    _, few = purge_queries(EXPIRES, dry_run=True)
    pairs += [renewed_pair_with_notes() for _ in range(4)]
    lines, many = purge_queries(EXPIRES, dry_run=True)

    assert many == few
    assert len(lines) == len(pairs)  # each pair's authors would be warned


def test_on_a_day_with_nothing_due_the_job_asks_the_same_few_queries_for_any_number_of_pairs(
    django_capture_on_commit_callbacks,
):
    for _ in range(2):
        renewed_pair_with_notes()
    warned_on = EXPIRES - datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        purge_queries(warned_on, dry_run=False)
    _, few = purge_queries(warned_on + datetime.timedelta(days=5), dry_run=False)
    for _ in range(4):
        renewed_pair_with_notes()
    with django_capture_on_commit_callbacks(execute=True):
        purge_queries(warned_on, dry_run=False)
    lines, many = purge_queries(warned_on + datetime.timedelta(days=5), dry_run=False)

    assert lines == [] and many == few <= 5


def test_when_due_the_notes_of_every_term_of_the_pair_go_in_one_delete(django_capture_on_commit_callbacks):
    pair = renewed_pair_with_notes()
    other = ActiveMatchFactory()  # a live pair keeps its notes
    meeting = HeldMeetingFactory(match=other)
    meeting_services.private_note_save(meeting=meeting, author=other.mentor, text="Blijft.")
    with django_capture_on_commit_callbacks(execute=True):
        purge_queries(EXPIRES - datetime.timedelta(days=30), dry_run=False)
    assert RetentionNotice.objects.filter(topic=RetentionNotice.Topic.NOTES, about_id=pair.pk).count() == 2

    lines, _ = purge_queries(EXPIRES, dry_run=False)

    assert lines == [f"delete 4 private notes of pair #{pair.pk} (ended {ENDED:%Y-%m-%d})"]
    assert list(PrivateNote.objects.values_list("meeting__match_id", flat=True)) == [other.pk]
