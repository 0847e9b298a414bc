"""Delivering the outbox exactly once in effect: claim, send, retry, take over.

- a message is claimed before it is sent (pending -> sending, on PostgreSQL with
  SELECT ... FOR UPDATE SKIP LOCKED), so two workers never send the same row;
- it is marked sent right after its own send, so a crash repeats at most the one in flight;
- a claim left "sending" by a dead worker expires and is taken over;
- transient errors (a mail server that is down included) wait base * 2**(attempt-1) seconds
  in the database and are retried by ``deliver_due``; permanent errors are marked failed.
"""

import datetime
import logging
import smtplib
import time
from collections.abc import Iterable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .emails.base import PermanentDeliveryError
from .emails.build import build_email, subjects_for
from .models import OutboxMessage
from .outbox import _nudge_done, _nudge_now, delivery_nudge

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __iadd__(self, other):
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        return self

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


def _claimable(now) -> Q:
    stale_before = now - datetime.timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT_SECONDS)
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=stale_before)


def outbox_claim(*, limit: int | None = None):
    """Take the next due messages for this process: pending -> sending, with a token only we hold.

    A set-based query on the (status, next_attempt_at) index, never a list of ids. PostgreSQL
    locks the rows with SKIP LOCKED so a racing worker takes other rows instead of waiting;
    the UPDATE repeats the condition, so even without row locks (SQLite) a row is claimed by
    one caller only.
    """
    now = timezone.now()
    token = OutboxMessage.new_claim_token()
    limit = limit or settings.NOTIFICATIONS_BATCH_SIZE
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(_claimable(now))
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        pks = list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        claimed = OutboxMessage.objects.filter(_claimable(now), pk__in=pks).update(
            status=Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
        )
    return token if claimed else None


def is_permanent(exc: Exception) -> bool:
    if isinstance(exc, PermanentDeliveryError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # A configuration problem: worth retrying once someone fixed the password.
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def _failed(mine, msg, exc, report) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if is_permanent(exc) or msg.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        logger.warning("Outbox message %s failed for good: %s", msg.pk, error)
        mine.filter(pk=msg.pk).update(status=Status.FAILED, last_error=error, claim_token=None, sealed_context="")
        report.failed += 1
    else:
        logger.info("Outbox message %s will be retried: %s", msg.pk, error)
        mine.filter(pk=msg.pk).update(
            status=Status.PENDING,
            last_error=error,
            claim_token=None,
            next_attempt_at=timezone.now() + retry_delay(msg.attempts),
        )
        report.retrying += 1


def _deliver_claimed(token) -> DeliveryReport:
    report = DeliveryReport()
    messages = list(OutboxMessage.objects.filter(claim_token=token).select_related("recipient").order_by("pk"))
    mine = OutboxMessage.objects.filter(claim_token=token, status=Status.SENDING)
    subjects = subjects_for(messages)
    mail_connection = get_connection()
    try:
        mail_connection.open()
    except Exception as exc:  # the mail server is down: every message of the batch waits for its retry
        for msg in messages:
            _failed(mine, msg, exc, report)
        return report
    try:
        for msg in messages:
            try:
                email = build_email(msg, subjects)
                email.connection = mail_connection
                email.send()
            except Exception as exc:  # every failure is recorded on the row; one bad message must not stop the batch
                _failed(mine, msg, exc, report)
            else:
                mine.filter(pk=msg.pk).update(
                    status=Status.SENT, sent_at=timezone.now(), claim_token=None, sealed_context=""
                )
                report.sent += 1
    finally:
        try:
            mail_connection.close()
        except Exception:  # a connection that broke while sending: the rows say what was sent
            logger.info("Closing the mail connection failed", exc_info=True)
    return report


def outbox_deliver_due(*, budget_seconds: float | None = None) -> DeliveryReport:
    """Send whatever is due, batch after batch: new messages, retries whose wait is over, and
    messages a dead worker left behind. Stops after ``budget_seconds`` and nudges for the rest."""
    _nudge_done()
    budget = settings.NOTIFICATIONS_DELIVERY_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    report = DeliveryReport()
    while True:
        token = outbox_claim()
        if not token:
            break
        report += _deliver_claimed(token)
        if time.monotonic() > deadline:
            if not current_app.conf.task_always_eager:
                _nudge_now()
            break
    return report


def outbox_resend(*, ids: Iterable[int]) -> int:
    """A coordinator's second chance for failed messages: pending again, with fresh attempts."""
    ids = list(OutboxMessage.objects.filter(pk__in=list(ids), status=Status.FAILED).values_list("pk", flat=True))
    OutboxMessage.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claim_token=None
    )
    if ids:
        delivery_nudge()
    return len(ids)
