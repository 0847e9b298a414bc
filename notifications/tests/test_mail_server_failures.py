"""Exactly once, also when the mail server is slow or failing (issue 22, findings 3, 4 and 6; issue 23's 4xx).

Each test runs its own SMTP server on a free port: an aiosmtpd server that can answer slowly or
refuse one message with a 4xx, or a bare socket that refuses every connection at the greeting.
"""

import asyncio
import datetime
import signal
import socket
import threading

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.db.models import QuerySet
from django.utils import timezone

from core.tests.own_services import free_port
from matching.tests.factories import ActiveMatchFactory
from notifications import delivery
from notifications.emails.build import OUTBOX_HEADER
from notifications.models import OutboxMessage

Status = OutboxMessage.Status


@pytest.fixture
def smtp_port(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "core.mail.SMTPEmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 5
    return port


class MailServer:
    """An SMTP server the test controls: it records what it accepted, by outbox id."""

    def __init__(self, port):
        from aiosmtpd.controller import Controller

        self.received = []
        self.slow_replies = []  # seconds to wait before the reply to the next DATA, one per message
        self.time_limit_after = None  # seconds after accepting a slow message until the "soft time limit"
        self.temporary_refusals = {}  # outbox id -> how many times to answer 451 first
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):
        text = envelope.content.decode("utf-8", errors="replace")
        outbox_id = next(int(line.split(":", 1)[1]) for line in text.splitlines() if line.startswith(OUTBOX_HEADER))
        if self.temporary_refusals.get(outbox_id):
            self.temporary_refusals[outbox_id] -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.received.append(outbox_id)  # accepted: from here on it reaches her
        if self.slow_replies:
            if self.time_limit_after:
                signal.setitimer(signal.ITIMER_REAL, self.time_limit_after)  # SIGALRM in the sender's thread
            await asyncio.sleep(self.slow_replies.pop(0))
        return "250 Message accepted for delivery"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class RefusingServer:
    """Answers every connection with one greeting line (421 or 554) and hangs up."""

    def __init__(self, port, greeting: bytes):
        self.sock = socket.create_server(("127.0.0.1", port))
        self.greeting = greeting
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                conn, _address = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(self.greeting)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(timeout=5)


def pending_mails(count: int) -> list[OutboxMessage]:
    return [
        OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.MATCH_MENTEE,
            recipient=match.mentee,
            subject_type="matching.match",
            subject_id=match.pk,
        )
        for match in ActiveMatchFactory.create_batch(count)
    ]


def statuses() -> dict:
    return {row.pk: (row.status, row.attempts) for row in OutboxMessage.objects.all()}


def run_later(minutes: int):
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False):
        return delivery.outbox_deliver_due()


# --- 3. A slow server: time limits, takeovers, Message-IDs ----------------------------------------------


def test_a_time_limit_while_the_server_is_slow_to_confirm_never_sends_that_mail_twice(db, smtp_port):
    mails = pending_mails(3)

    def soft_time_limit(_signum, _frame):
        raise SoftTimeLimitExceeded()

    with MailServer(smtp_port) as server:
        server.slow_replies = [3]  # the first mail is accepted, its "250" comes late
        server.time_limit_after = 0.5  # and Celery's soft limit strikes while the sender waits for it
        previous = signal.signal(signal.SIGALRM, soft_time_limit)
        try:
            delivery.outbox_deliver_due()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        first = OutboxMessage.objects.get(pk=mails[0].pk)
        assert first.status == Status.SENT, "the server may have it: it must not be sent again"
        assert "may have been accepted" in first.last_error
        # The others were not tried: they wait, their attempt not counted.
        assert {statuses()[mail.pk] for mail in mails[1:]} == {(Status.PENDING, 0)}

        run_later(minutes=10)
        run_later(minutes=20)

    assert sorted(server.received) == sorted(mail.pk for mail in mails)  # each exactly once
    assert set(statuses().values()) <= {(Status.SENT, 0), (Status.SENT, 1)}


def test_a_batch_slower_than_the_takeover_time_is_never_sent_twice(db, smtp_port, settings, monkeypatch):
    settings.NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = 10
    mails = pending_mails(6)
    build = delivery.build_email
    minute_job_ran = []

    with MailServer(smtp_port) as server, time_machine.travel(timezone.now(), tick=False) as clock:

        def slow_build(message, subjects=None):
            clock.shift(4)  # each mail takes the slow server four seconds
            if message.pk == mails[3].pk and not minute_job_ran:
                minute_job_ran.append("started")
                # Meanwhile the minute job takes one batch: what has been claimed longer than the timeout.
                minute_job_ran.append(delivery._deliver_claimed(delivery.outbox_claim()))
            return build(message, subjects)

        monkeypatch.setattr(delivery, "build_email", slow_build)
        delivery.outbox_deliver_due()

    assert minute_job_ran[1].sent > 0, "the minute job took over the rows not yet sent"
    assert sorted(server.received) == sorted(mail.pk for mail in mails)  # each exactly once
    assert {status for status, _attempts in statuses().values()} == {Status.SENT}


def test_every_try_of_a_message_carries_the_same_message_id(db):
    from notifications.emails.build import build_email

    message = pending_mails(1)[0]
    first, again = build_email(message).message()["Message-ID"], build_email(message).message()["Message-ID"]
    assert first == again
    assert f"outbox.{message.pk}." in first


# --- 4. A refusal of the connection is the server's failure, not each message's ----------------------


@pytest.mark.parametrize("refusal", [b"554 5.3.2 Not accepting mail now\r\n", b"421 4.3.2 Busy\r\n", None])
def test_a_server_that_refuses_the_connection_burns_no_attempt_and_everything_arrives_when_it_is_back(
    db, smtp_port, refusal
):
    mails = pending_mails(4)
    if refusal is None:  # nothing listens: connection refused
        for minutes in range(0, 60, 10):  # more runs than NOTIFICATIONS_MAX_ATTEMPTS
            run_later(minutes)
    else:
        with RefusingServer(smtp_port, refusal):
            for minutes in range(0, 60, 10):
                run_later(minutes)

    assert set(statuses().values()) == {(Status.PENDING, 0)}
    assert all(message.last_error for message in OutboxMessage.objects.all())

    with MailServer(smtp_port) as server:
        run_later(minutes=70)
    assert sorted(server.received) == sorted(mail.pk for mail in mails)
    assert set(statuses().values()) == {(Status.SENT, 1)}


# --- issue 23: a temporary 4xx for one message is retried with backoff ---------------------------------


def test_a_temporary_refusal_of_one_message_is_retried_with_a_growing_wait(db, smtp_port):
    mails = pending_mails(3)
    refused = mails[1]

    with MailServer(smtp_port) as server:
        server.temporary_refusals = {refused.pk: 2}
        started = timezone.now()
        delivery.outbox_deliver_due()
        row = OutboxMessage.objects.get(pk=refused.pk)
        assert (row.status, row.attempts) == (Status.PENDING, 1)
        assert "451" in row.last_error
        first_wait = row.next_attempt_at - started
        assert datetime.timedelta(seconds=55) < first_wait < datetime.timedelta(seconds=70)
        assert sorted(server.received) == sorted([mails[0].pk, mails[2].pk])

        with time_machine.travel(row.next_attempt_at + datetime.timedelta(seconds=1), tick=False):
            delivery.outbox_deliver_due()
            row.refresh_from_db()
            second_wait = row.next_attempt_at - timezone.now()
        assert (row.status, row.attempts) == (Status.PENDING, 2)
        assert datetime.timedelta(seconds=115) < second_wait < datetime.timedelta(seconds=125)  # doubled

        with time_machine.travel(row.next_attempt_at + datetime.timedelta(seconds=1), tick=False):
            delivery.outbox_deliver_due()

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 3)
    assert sorted(server.received) == sorted(mail.pk for mail in mails)


# --- 6. A database blip while recording "sent" -----------------------------------------------------------


def test_a_database_error_while_recording_sent_strands_nothing_and_sends_nothing_twice(
    transactional_db, smtp_port, monkeypatch
):
    mails = pending_mails(4)
    update = QuerySet.update
    blips = []

    def update_with_a_blip(self, **values):
        if values.get("status") == Status.SENT and not blips:
            blips.append(True)
            raise OperationalError("server closed the connection unexpectedly")
        return update(self, **values)

    monkeypatch.setattr(QuerySet, "update", update_with_a_blip)
    with MailServer(smtp_port) as server:
        delivery.outbox_deliver_due()
        assert blips
        assert not OutboxMessage.objects.filter(status=Status.SENDING).exists(), "the batch is stranded"
        run_later(minutes=15)  # later runs, a takeover included, send nothing again
        run_later(minutes=30)

    assert sorted(server.received) == sorted(mail.pk for mail in mails)
    assert set(statuses().values()) == {(Status.SENT, 1)}
