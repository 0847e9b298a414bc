"""Two workers racing, for real: separate database connections on PostgreSQL."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from matching.tests.factories import ActiveMatchFactory
from notifications import delivery, outbox, services
from notifications.emails.build import OUTBOX_HEADER
from notifications.models import OutboxMessage
from notifications.tests.conftest import of_kind

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks (SELECT ... FOR UPDATE SKIP LOCKED) are tested on PostgreSQL: set DATABASE_URL.")


def race(target, runners=2):
    barrier = threading.Barrier(runners)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_two_daily_runs_at_the_same_time_send_each_renewal_question_once(sent):
    pairs = ActiveMatchFactory.create_batch(
        5, start_date=datetime.date(2027, 1, 15), planned_end=datetime.date(2028, 1, 15)
    )

    with time_machine.travel(datetime.datetime(2027, 12, 20, 7, 0), tick=False):
        race(lambda: services.daily_jobs_run())

    renewal = of_kind(sent, OutboxMessage.Kind.RENEWAL_QUESTION)
    assert len(renewal) == 10
    assert sorted(email.to[0] for email in renewal) == sorted(
        person.email for pair in pairs for person in (pair.mentor, pair.mentee)
    )
    # Every message recorded (R5, and R10 once meetings exist) was sent exactly once.
    assert len(sent) == OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count()
    assert len({email.extra_headers[OUTBOX_HEADER] for email in sent}) == len(sent)


def test_two_workers_delivering_the_same_batch_send_each_message_once(sent):
    pairs = ActiveMatchFactory.create_batch(20)
    # Recorded but not yet queued, as a crashed job would leave them.
    OutboxMessage.objects.bulk_create(
        outbox.message_build(kind=OutboxMessage.Kind.MATCH_MENTEE, recipient=p.mentee, about=p) for p in pairs
    )
    reports = []

    race(lambda: reports.append(delivery.outbox_deliver_due()), runners=3)

    assert sum(report.sent for report in reports) == 20
    assert len(sent) == 20
    assert len({email.to[0] for email in sent}) == 20


def test_two_meeting_jobs_at_the_same_time_record_each_reminder_and_question_once(sent):
    """Issue 26 §4: the every-minute job and the daily job starting in the same second."""
    from meetings.tests.factories import MeetingFactory

    reminded = [
        MeetingFactory(
            starts_at=timezone.make_aware(datetime.datetime(2027, 3, 10, 10)),
            created_at=timezone.make_aware(datetime.datetime(2027, 3, 1, 10)),
        )
        for _ in range(3)
    ]
    asked = [
        MeetingFactory(
            starts_at=timezone.make_aware(datetime.datetime(2027, 3, 9, 9)),
            created_at=timezone.make_aware(datetime.datetime(2027, 3, 1, 10)),
        )
        for _ in range(3)
    ]
    kinds = {OutboxMessage.Kind.MEETING_TOMORROW, OutboxMessage.Kind.MEETING_HELD_QUESTION}
    with time_machine.travel(timezone.make_aware(datetime.datetime(2027, 3, 9, 19)), tick=False):
        for _ in range(2):
            race(lambda: services.meeting_messages_record(), runners=3)
            race(lambda: services.daily_jobs_run(), runners=2)

    rows = OutboxMessage.objects.filter(kind__in=kinds)
    assert rows.filter(kind=OutboxMessage.Kind.MEETING_TOMORROW).count() == 2 * len(reminded)
    assert rows.filter(kind=OutboxMessage.Kind.MEETING_HELD_QUESTION).count() == len(asked)
    assert (
        len(
            [
                email
                for email in sent
                if email.extra_headers[OUTBOX_HEADER] in {str(pk) for pk in rows.values_list("pk", flat=True)}
            ]
        )
        == rows.count()
    )
