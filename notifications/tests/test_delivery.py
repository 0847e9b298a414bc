"""Exactly once, in effect: claims, retries with backoff, permanent failures, crashed workers, resend."""

import datetime
import smtplib

import pytest
import time_machine

from accounts.tests.factories import MemberFactory
from matching.tests.factories import ActiveMatchFactory
from notifications import delivery, outbox
from notifications.models import OutboxMessage
from notifications.tests.backends import FlakyBackend

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
Kind = OutboxMessage.Kind
NOW = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.FlakyBackend"
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    FlakyBackend.errors = []
    yield FlakyBackend.errors
    FlakyBackend.errors = []


@pytest.fixture
def pending():
    match = ActiveMatchFactory()
    return OutboxMessage.objects.create(
        kind=Kind.MATCH_MENTEE, recipient=match.mentee, subject_type="matching.match", subject_id=match.pk
    )


def refreshed(message):
    message.refresh_from_db()
    return message


def test_a_pending_message_is_sent_once_even_when_delivered_twice(pending, sent):
    assert delivery.outbox_deliver_due().sent == 1
    assert delivery.outbox_deliver_due().sent == 0
    assert delivery.outbox_deliver_due().sent == 0

    assert len(sent) == 1
    message = refreshed(pending)
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 1, "")
    assert message.sent_at is not None


def test_a_transient_smtp_error_is_retried_with_exponential_backoff(pending, sent, flaky):
    flaky += [smtplib.SMTPServerDisconnected("connection lost"), ConnectionRefusedError("mail server down")]

    with time_machine.travel(NOW, tick=False):
        assert delivery.outbox_deliver_due().retrying == 1
    message = refreshed(pending)
    assert message.status == Status.PENDING
    assert message.next_attempt_at == NOW + datetime.timedelta(seconds=60)
    assert "connection lost" in message.last_error

    # Not yet due: the every-minute job leaves it alone.
    with time_machine.travel(NOW + datetime.timedelta(seconds=59), tick=False):
        assert delivery.outbox_deliver_due().handled == 0
    with time_machine.travel(NOW + datetime.timedelta(seconds=61), tick=False):
        assert delivery.outbox_deliver_due().retrying == 1
    assert refreshed(pending).next_attempt_at == NOW + datetime.timedelta(seconds=61 + 120)
    with time_machine.travel(NOW + datetime.timedelta(seconds=61 + 121), tick=False):
        assert delivery.outbox_deliver_due().sent == 1

    message = refreshed(pending)
    assert (message.status, message.attempts) == (Status.SENT, 3)
    assert len(sent) == 1


def test_after_the_last_attempt_the_message_is_marked_failed(pending, sent, flaky):
    flaky += [TimeoutError("timed out")] * 3
    for minutes in (0, 2, 10):
        with time_machine.travel(NOW + datetime.timedelta(minutes=minutes), tick=False):
            delivery.outbox_deliver_due()

    message = refreshed(pending)
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert "timed out" in message.last_error
    assert sent == []


def test_a_refused_recipient_fails_at_once_without_retrying(pending, sent, flaky):
    flaky.append(smtplib.SMTPRecipientsRefused({pending.recipient.email: (550, b"No such user")}))

    assert delivery.outbox_deliver_due().failed == 1

    message = refreshed(pending)
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "SMTPRecipientsRefused" in message.last_error


def test_a_message_whose_subject_is_gone_is_marked_failed(sent):
    member = MemberFactory()
    message = OutboxMessage.objects.create(
        kind=Kind.RENEWAL_QUESTION, recipient=member, subject_type="matching.match", subject_id=999999
    )

    assert delivery.outbox_deliver_due().failed == 1
    assert "no longer exists" in refreshed(message).last_error
    assert sent == []


def test_one_failing_message_does_not_stop_the_rest_of_the_batch(sent, flaky):
    matches = ActiveMatchFactory.create_batch(3)
    OutboxMessage.objects.bulk_create(
        outbox.message_build(kind=Kind.MATCH_MENTEE, recipient=m.mentee, about=m) for m in matches
    )
    flaky.append(smtplib.SMTPDataError(554, b"rejected"))

    report = delivery.outbox_deliver_due()

    assert (report.sent, report.failed) == (2, 1)
    assert len(sent) == 2


def test_a_message_left_sending_by_a_crashed_worker_is_taken_over_later(pending, sent, settings):
    settings.NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = 600
    with time_machine.travel(NOW, tick=False):
        # A worker claimed it and died before sending.
        assert delivery.outbox_claim()
    assert refreshed(pending).status == Status.SENDING

    with time_machine.travel(NOW + datetime.timedelta(minutes=9), tick=False):
        assert delivery.outbox_deliver_due().handled == 0  # the claim may still be alive
    with time_machine.travel(NOW + datetime.timedelta(minutes=11), tick=False):
        assert delivery.outbox_deliver_due().sent == 1

    assert (refreshed(pending).status, refreshed(pending).attempts) == (Status.SENT, 2)
    assert len(sent) == 1


def test_a_crash_before_sending_leaves_the_message_pending_for_the_next_run(pending, sent):
    # The worker died between recording the message and sending it: no task ever ran.
    assert refreshed(pending).status == Status.PENDING

    assert delivery.outbox_deliver_due().sent == 1
    assert len(sent) == 1


def test_resend_gives_a_failed_message_a_second_chance(pending, sent, flaky, django_capture_on_commit_callbacks):
    flaky.append(smtplib.SMTPRecipientsRefused({pending.recipient.email: (550, b"mailbox full")}))
    delivery.outbox_deliver_due()
    assert refreshed(pending).status == Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.outbox_resend(ids=[pending.pk]).resent == 1

    assert refreshed(pending).status == Status.SENT
    assert len(sent) == 1


def test_resend_leaves_sent_messages_alone(pending, sent, django_capture_on_commit_callbacks):
    delivery.outbox_deliver_due()

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.outbox_resend(ids=[pending.pk]).resent == 0

    assert len(sent) == 1


@pytest.fixture
def nudges(monkeypatch):
    """What reaches the broker: the deliver task's publications, with their arguments."""
    published = []
    task = outbox.deliver_task()
    monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: published.append((args, kwargs)))
    return published


def test_recording_is_idempotent_and_only_a_nudge_without_data_reaches_the_broker(
    django_capture_on_commit_callbacks, nudges
):
    from mentorprogramma.celery import app

    app.conf.task_always_eager = False  # as in production; the root conftest restores it
    match = ActiveMatchFactory()

    with django_capture_on_commit_callbacks(execute=True):
        outbox.message_record(kind=Kind.MATCH_MENTEE, recipient=match.mentee, about=match)
        outbox.message_record(kind=Kind.MATCH_MENTEE, recipient=match.mentee, about=match)

    assert OutboxMessage.objects.count() == 1
    # One nudge while one waits, and no names, addresses, content or even ids travel through the broker.
    assert [(args, kwargs["retry"]) for args, kwargs in nudges] == [((), False)]


def test_nothing_is_recorded_or_nudged_for_a_rolled_back_transaction(django_capture_on_commit_callbacks, nudges):
    from django.db import transaction

    match = ActiveMatchFactory()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        outbox.message_record(kind=Kind.MATCH_MENTEE, recipient=match.mentee, about=match)
        raise RuntimeError("rolled back")

    assert nudges == []
    assert not OutboxMessage.objects.exists()


def test_a_mail_server_that_refuses_connections_leaves_the_batch_waiting(pending, sent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False  # nothing listens

    with time_machine.travel(NOW, tick=False):
        report = delivery.outbox_deliver_due()

    # The server's failure, not the message's: it waits for the next run without losing an attempt.
    assert (report.sent, report.retrying, report.failed, report.refused) == (0, 0, 0, True)
    message = refreshed(pending)
    assert (message.status, message.attempts) == (Status.PENDING, 0)
    assert message.next_attempt_at > NOW


def test_the_retry_delay_doubles_per_attempt(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    assert [delivery.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
