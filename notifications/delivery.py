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

from allauth.account import app_settings as allauth_settings
from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
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
    refused: bool = False  # the mail server refused the run: stop, the messages wait without losing an attempt

    def __iadd__(self, other):
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.refused = self.refused or other.refused
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


def refuses_the_run(exc: Exception) -> bool:
    """A 421 reply: "service not available, closing the channel", for every message alike."""
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421


def is_connection_level(exc: Exception) -> bool:
    """The connection broke (or never was): the batch cannot go on over it."""
    if isinstance(exc, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)) or refuses_the_run(exc):
        return True
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)  # refused, reset, unreachable, timed out


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


def _error_text(exc) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


# A status write that meets a database error is tried again this often, waiting 0.5, 1, 2, 4, 8 s:
# a short outage neither strands the batch nor lets a sent message be sent again.
DB_WRITE_ATTEMPTS = 6


def _write(rows, **values) -> int:
    for attempt in range(DB_WRITE_ATTEMPTS):
        try:
            return rows.update(**values)
        except DatabaseError:
            if attempt == DB_WRITE_ATTEMPTS - 1 or connection.in_atomic_block:
                raise
            logger.warning("Outbox: a status write failed, trying again", exc_info=True)
            connection.close_if_unusable_or_obsolete()
            time.sleep(0.5 * 2**attempt)
    return 0


def _failed(mine, msg, exc, report) -> None:
    error = _error_text(exc)
    # An account e-mail keeps its sealed link: a coordinator may send it again while the link is valid.
    if is_permanent(exc) or msg.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        logger.warning("Outbox message %s failed for good: %s", msg.pk, error)
        _write(mine.filter(pk=msg.pk), status=Status.FAILED, last_error=error, claim_token=None)
        report.failed += 1
    else:
        logger.info("Outbox message %s will be retried: %s", msg.pk, error)
        _write(
            mine.filter(pk=msg.pk),
            status=Status.PENDING,
            last_error=error,
            claim_token=None,
            next_attempt_at=timezone.now() + retry_delay(msg.attempts),
        )
        report.retrying += 1


def _sent(mine, msg, report, *, uncertain: Exception | None = None) -> None:
    values = {"status": Status.SENT, "sent_at": timezone.now(), "claim_token": None, "sealed_context": ""}
    if uncertain is not None:
        # The server may have taken it: never sent again (a copy would reach her twice).
        logger.warning("Outbox message %s may have been accepted before %s; not sending it again", msg.pk, uncertain)
        values["last_error"] = _error_text(uncertain)[:1900] + " (may have been accepted; not sent again)"
    _write(mine.filter(pk=msg.pk), **values)
    report.sent += 1


def _release(mine, *, error: Exception | None = None, wait_seconds: int = 0) -> int:
    """Hand the rows still claimed back, without counting the attempt the claim counted."""
    values = {"status": Status.PENDING, "claim_token": None, "attempts": F("attempts") - 1}
    if error is not None:
        values["last_error"] = _error_text(error)
    if wait_seconds:
        values["next_attempt_at"] = timezone.now() + datetime.timedelta(seconds=wait_seconds)
    return _write(mine, **values)


def _deliver_claimed(token, *, deadline: float | None = None) -> DeliveryReport:
    """Send the batch claimed under ``token``, one message at a time.

    Before each send the row's claim is checked and renewed (a row another sender took over is
    skipped, and a live sender's rows are never stale); the deadline ends the batch between two
    messages. A server that refuses the connection (refused, a 421 or 554 greeting, a 421 reply)
    ends the run (``report.refused``) and hands every unsent row back without counting an attempt;
    a connection that breaks while one message is sent counts that message's attempt only.
    """
    report = DeliveryReport()
    messages = list(OutboxMessage.objects.filter(claim_token=token).select_related("recipient").order_by("pk"))
    mine = OutboxMessage.objects.filter(claim_token=token, status=Status.SENDING)
    subjects = subjects_for(messages)
    mail_connection = get_connection()
    try:
        mail_connection.open()
    except Exception as exc:  # the mail server is down or refuses us: the run's failure, not the messages'
        logger.warning("Outbox: the mail server refused the connection (%s); the messages wait", _error_text(exc))
        _release(mine, error=exc, wait_seconds=settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
        report.refused = True
        return report
    in_flight = None  # a message handed to the server whose outcome is not written yet
    try:
        for msg in messages:
            if deadline is not None and time.monotonic() > deadline:
                break  # between two messages: the rest go back to the queue
            if not _write(mine.filter(pk=msg.pk), claimed_at=timezone.now()):
                continue  # no longer ours (taken over): its new sender sends it
            in_flight = msg.pk
            try:
                email = build_email(msg, subjects)
                email.connection = mail_connection
                email.send()
            except (Exception, SoftTimeLimitExceeded) as exc:
                definite_reply = isinstance(exc, smtplib.SMTPResponseException)
                if getattr(mail_connection, "may_have_accepted", False) and not definite_reply:
                    _sent(mine, msg, report, uncertain=exc)
                    in_flight = None
                    if isinstance(exc, SoftTimeLimitExceeded):
                        raise  # the time limit ends the run; the rest go back to the queue
                    if is_connection_level(exc):
                        report.refused = True
                        break
                elif isinstance(exc, SoftTimeLimitExceeded):
                    in_flight = None
                    raise  # not this message's failure: it goes back with the rest
                elif refuses_the_run(exc):
                    in_flight = None
                    logger.warning("Outbox: the mail server closed the channel (%s); the messages wait", exc)
                    _release(mine, error=exc, wait_seconds=settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
                    report.refused = True
                    break
                elif is_connection_level(exc):  # broke while this one was sent: its attempt counts, the rest wait
                    in_flight = None
                    _failed(mine, msg, exc, report)
                    report.refused = True
                    break
                else:  # one bad message must not stop the batch
                    _failed(mine, msg, exc, report)
            else:
                _sent(mine, msg, report)
            in_flight = None
    finally:
        try:
            # Anything not sent (deadline, time limit, an error) goes back to the queue; a message whose
            # outcome could not be written stays claimed: it may have been sent, so only a takeover
            # after NOTIFICATIONS_SENDING_TIMEOUT_SECONDS sends it again (with the same Message-ID).
            _release(mine.exclude(pk=in_flight) if in_flight else mine)
        except DatabaseError:  # the database is away for long: the claim expires and is taken over
            logger.warning("Outbox: could not hand unsent messages back", exc_info=True)
        try:
            mail_connection.close()
        except Exception:  # a connection that broke while sending: the rows say what was sent
            logger.info("Closing the mail connection failed", exc_info=True)
    return report


def outbox_deliver_due(*, budget_seconds: float | None = None) -> DeliveryReport:
    """Send whatever is due, batch after batch: new messages, retries whose wait is over, and
    messages a dead worker left behind. Stops between two messages after ``budget_seconds`` and
    nudges for the rest; stops at once when the mail server refuses the connection."""
    _nudge_done()
    budget = settings.NOTIFICATIONS_DELIVERY_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    report = DeliveryReport()
    while True:
        token = outbox_claim()
        if not token:
            break
        try:
            report += _deliver_claimed(token, deadline=deadline)
        except SoftTimeLimitExceeded:
            break
        if report.refused:
            break
        if time.monotonic() > deadline:
            if not current_app.conf.task_always_eager:
                _nudge_now()
            break
    return report


def account_link_expires_at(message: OutboxMessage) -> datetime.datetime | None:
    """When the link or code in an account e-mail stops working (allauth's own limits); None: no link in it."""
    lifetimes = {
        "account/email/email_confirmation_signup": datetime.timedelta(
            days=allauth_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS
        ),
        "account/email/email_confirmation": datetime.timedelta(days=allauth_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS),
        "account/email/password_reset_key": datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        "account/email/password_reset_code": datetime.timedelta(
            seconds=allauth_settings.PASSWORD_RESET_BY_CODE_TIMEOUT
        ),
        "account/email/login_code": datetime.timedelta(seconds=allauth_settings.LOGIN_BY_CODE_TIMEOUT),
    }
    if message.kind != OutboxMessage.Kind.ACCOUNT or message.template not in lifetimes:
        return None
    return message.created_at + lifetimes[message.template]


@dataclass
class ResendReport:
    resent: int = 0
    not_failed: int = 0  # selected but not failed: nothing to send again
    expired: int = 0  # account e-mails whose link no longer works: she asks for a new one


def outbox_resend(*, ids: Iterable[int]) -> ResendReport:
    """A coordinator's second chance for failed messages: pending again, with fresh attempts.

    An account e-mail keeps its sealed link while it waits; once the link has expired (or its
    sealed context is gone) it is not sent again, and its context is emptied.
    """
    ids = set(ids)
    report = ResendReport()
    failed = list(
        OutboxMessage.objects.filter(pk__in=ids, status=Status.FAILED).only(
            "pk", "kind", "template", "created_at", "sealed_context"
        )
    )
    report.not_failed = len(ids) - len(failed)
    now = timezone.now()
    expired = [
        message.pk
        for message in failed
        if message.kind == OutboxMessage.Kind.ACCOUNT
        and (not message.sealed_context or (account_link_expires_at(message) or now) < now)
    ]
    if expired:
        OutboxMessage.objects.filter(pk__in=expired).update(sealed_context="")
    again = [message.pk for message in failed if message.pk not in set(expired)]
    report.resent = OutboxMessage.objects.filter(pk__in=again, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, claim_token=None
    )
    report.expired = len(expired)
    if report.resent:
        delivery_nudge()
    return report
