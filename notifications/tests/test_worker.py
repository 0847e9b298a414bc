"""A real `celery worker` on Redis: a match's mails arrive once, and a SIGKILL mid-batch loses nothing."""

import signal
import time

import pytest

from matching.models import Match
from matching.signals import match_activated
from matching.tests.factories import ActiveMatchFactory
from notifications import outbox
from notifications.models import OutboxMessage
from notifications.tasks import deliver_due
from notifications.tests.conftest import outbox_ids_in_files

pytestmark = pytest.mark.worker

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status


def wait_until(condition, timeout=60, every=0.2, tick=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if tick:
            tick()
        time.sleep(every)
    return False


def sent_count(ids=None):
    rows = OutboxMessage.objects.filter(status=Status.SENT)
    return rows.filter(pk__in=ids).count() if ids is not None else rows.count()


def test_activating_a_match_delivers_exactly_one_contact_details_mail_through_a_real_worker(start_worker):
    start_worker()
    match = ActiveMatchFactory()

    # As matching does it (here without a surrounding transaction): our receiver records the two
    # mails, and the commit nudges the worker.
    match_activated.send(sender=Match, match_id=match.pk)

    assert wait_until(lambda: sent_count() == 2), "the worker did not send the two mails in time"
    to_mentee = OutboxMessage.objects.get(kind=Kind.MATCH_MENTEE)
    assert to_mentee.recipient == match.mentee
    delivered = outbox_ids_in_files(start_worker.mail_dir)
    assert delivered.count(to_mentee.pk) == 1
    assert sorted(delivered) == sorted(OutboxMessage.objects.values_list("pk", flat=True))
    text = "".join(path.read_text() for path in start_worker.mail_dir.glob("*"))
    assert match.mentor.email in text


def test_a_worker_killed_mid_batch_loses_no_message_and_repeats_at_most_the_one_in_flight(start_worker, capsys):
    batch = 30
    worker_env = {"NOTIFICATIONS_TEST_SEND_DELAY": "0.15", "NOTIFICATIONS_SENDING_TIMEOUT_SECONDS": "3"}
    first = start_worker(**worker_env)
    pairs = ActiveMatchFactory.create_batch(batch // 2)
    messages = [
        outbox.message_build(kind=kind, recipient=getattr(p, role), about=p)
        for p in pairs
        for kind, role in [(Kind.MATCH_MENTEE, "mentee"), (Kind.MATCH_MENTOR, "mentor")]
    ]
    outbox.messages_record(messages)  # no transaction around it: the worker is nudged at once
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    assert len(ids) == batch

    assert wait_until(lambda: sent_count(ids) >= batch // 3, timeout=60, every=0.05)
    first.kill(signal.SIGKILL)
    sent_before_restart = sent_count(ids)
    assert 0 < sent_before_restart < batch, "the kill must land mid-batch"

    # The restarted worker takes the queued tasks; beat's every-minute deliver_due takes over
    # what the dead worker held (its unacknowledged task and its claimed row).
    start_worker(**worker_env)
    assert wait_until(lambda: sent_count(ids) == batch, timeout=90, every=0.5, tick=deliver_due.delay)

    delivered = outbox_ids_in_files(start_worker.mail_dir)
    assert set(delivered) == set(ids), "every message was delivered"
    repeated = len(delivered) - len(set(delivered))
    with capsys.disabled():
        print(
            f"\nSIGKILL after {sent_before_restart}/{batch} sent: all {batch} delivered, "
            f"{repeated} repeated (at most the one in flight)"
        )
    assert repeated <= 1
    assert not OutboxMessage.objects.exclude(status=Status.SENT).exists()
