"""Writes: recording e-mails in the outbox, delivering them exactly once in effect, the jobs.

Sending an e-mail from anywhere in the application is ONE call, inside the transaction
that makes the change the mail is about::

    from notifications.services import message_record
    message_record(kind=OutboxMessage.Kind.X, recipient=user, about=obj)

(or ``messages_record([...])`` for many). The row commits or rolls back with the
change; after the commit a worker is nudged to deliver. Lower apps (accounts,
matching, evaluations) cannot import this module: they send a signal from inside
their transaction and ``receivers.py`` records the rows.

The guarantees, in one place:
- recording is idempotent: the outbox's unique key plus INSERT ... ON CONFLICT DO NOTHING;
- nothing but a "deliver now" nudge goes to the broker, by the task's registered name, after
  the commit; a broker that is down costs a log line, never the request: the every-minute
  ``deliver_due`` job finds the row in the database. A nudge already waiting is not repeated,
  so however often a job runs over a backlog, the broker's queue does not grow;
- a message is claimed before it is sent (pending -> sending, on PostgreSQL with
  SELECT ... FOR UPDATE SKIP LOCKED), so two workers never send the same row;
- it is marked sent right after its own send, so a crash repeats at most the one in flight;
- a claim left "sending" by a dead worker expires and is taken over;
- transient errors (a mail server that is down included) wait base * 2**(attempt-1) seconds
  in the database and are retried by ``deliver_due``; permanent errors are marked failed.
"""

import datetime
import json
import logging
import smtplib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import crypto, selectors
from .emails import PermanentDeliveryError, build_email, subjects_for
from .models import OutboxMessage

logger = logging.getLogger(__name__)

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status

# Celery task names: the tasks module imports this one, so this one dispatches by name.
DELIVER_DUE_TASK = "notifications.deliver_due"
# Set while a nudge waits on the broker; the task clears it when it starts.
NUDGE_PENDING_KEY = "notifications:deliver-nudge-pending"


def subject_key(obj) -> tuple[str, int]:
    return (obj._meta.label_lower, obj.pk) if obj is not None else ("", 0)


def message_build(
    *, kind: str, recipient=None, about=None, period: str = "", not_before: datetime.datetime | None = None
) -> OutboxMessage:
    """An unsaved outbox row; ``about`` is what the message is about (a match, an invitation), or None."""
    subject_type, subject_id = subject_key(about)
    return OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject_type=subject_type,
        subject_id=subject_id,
        period=period,
        next_attempt_at=max(not_before or timezone.now(), timezone.now()),
    )


def messages_record(messages: Iterable[OutboxMessage]) -> int:
    """Record messages in the current transaction (one that exists already is left alone); deliver after commit.

    Returns how many were given. Running this twice for the same messages records and sends them once.
    """
    messages = list(messages)
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=1000)
        delivery_nudge()
    return len(messages)


def message_record(
    *, kind: str, recipient, about=None, period: str = "", not_before: datetime.datetime | None = None
) -> None:
    """Record one e-mail in the current transaction: the one way to send mail from this application.

    ``about`` is the object the mail is about (its body is built from it when it is sent, so
    nothing confidential is stored); ``period`` tells repeats about the same object apart
    (a reminder's day); ``not_before`` holds it back until then. Idempotent.
    """
    messages_record([message_build(kind=kind, recipient=recipient, about=about, period=period, not_before=not_before)])


def account_message_record(*, template: str, to_email: str, recipient=None, context: dict) -> OutboxMessage:
    """One of allauth's e-mails (sign-up confirmation, password reset, ...), its context sealed.

    Every one is its own message (a second reset request is a second mail), so the period is unique.
    """
    message = OutboxMessage.objects.create(
        kind=Kind.ACCOUNT,
        recipient=recipient,
        to_email=to_email,
        template=template,
        period=uuid.uuid4().hex[:16],
        sealed_context=crypto.seal(json.dumps(context, default=str)),
    )
    delivery_nudge()
    return message


def delivery_nudge() -> None:
    """After the commit, ask a worker to deliver now; never fails the caller (beat catches up)."""
    transaction.on_commit(_nudge_now)


def _nudge_now() -> None:
    try:
        if not _nudge_needed():
            return
        # Dispatch by the registered name: tasks.py imports this module, not the other way round.
        # apply_async (not send_task) so that in-process Celery (make run, tests) runs it at once.
        deliver_task().apply_async(retry=False)
    except Exception:  # a broker (or, in-process, a mail server) that is down must never fail the request
        logger.warning("Could not ask a worker to deliver e-mail now; the every-minute job will.", exc_info=True)
        _nudge_done()


def deliver_task():
    """The deliver task, found by its registered name (outside a worker, task discovery is lazy)."""
    if DELIVER_DUE_TASK not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[DELIVER_DUE_TASK]


def _nudge_needed() -> bool:
    if current_app.conf.task_always_eager:
        return True
    try:
        return cache.add(NUDGE_PENDING_KEY, 1, timeout=settings.NOTIFICATIONS_NUDGE_SECONDS)
    except Exception:  # no cache: nudge anyway, a spare nudge costs one empty run
        return True


def _nudge_done() -> None:
    try:
        cache.delete(NUDGE_PENDING_KEY)
    except Exception:  # no cache, no flag to clear
        logger.debug("Could not clear the delivery nudge flag", exc_info=True)


# --- Delivery ------------------------------------------------------------------------


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


# --- What to send --------------------------------------------------------------------


def match_activation_record(*, match_id: int) -> int:
    """R8: the mentee gets her mentor's contact details, the mentor learns who her mentee is.

    Called from matching's signal inside the confirming transaction: from 'gekoppeld' on (issue 15 §1).
    """
    from matching.models import Match

    match = (
        Match.objects.filter(pk=match_id, status__in=Match.ONGOING_STATUSES).select_related("mentor", "mentee").first()
    )
    if match is None:
        return 0
    return messages_record(
        [
            message_build(kind=Kind.MATCH_MENTEE, recipient=match.mentee, about=match),
            message_build(kind=Kind.MATCH_MENTOR, recipient=match.mentor, about=match),
        ]
    )


def verification_decision_record(*, profile, status: str) -> None:
    """R2: the member hears that her membership was verified or rejected (and why).

    One mail per decision: the period names the decision and its moment, so a member
    verified again after a changed number hears of it again.
    """
    period = f"{status[:1]}{int(timezone.now().timestamp() * 1000)}"
    message_record(kind=Kind.VERIFICATION_DECISION, recipient=profile.user, about=profile, period=period)


def meeting_change_record(*, meeting, by, change: str) -> int:
    """Issue 15 §4: the other partner hears of a planned, changed or cancelled meeting, with a calendar update.

    One message per version of the meeting (its SEQUENCE), so every change is told once.
    """
    kind = {"planned": Kind.MEETING_PLANNED, "changed": Kind.MEETING_CHANGED, "cancelled": Kind.MEETING_CANCELLED}[
        change
    ]
    partner = meeting.match.partner_of(by)
    return messages_record([message_build(kind=kind, recipient=partner, about=meeting, period=f"v{meeting.sequence}")])


def match_ended_record(*, match) -> int:
    """R6: when a partner stepped out, the other hears the pair ended; when a coordinator ended it, both do."""
    if match.ended_by_id is not None and match.ended_by_id in (match.mentor_id, match.mentee_id):
        recipients = [match.partner_of(match.ended_by)]
    else:
        recipients = [match.mentee, match.mentor]
    # A partner who erased her account has no address left (and is told nothing).
    return messages_record(
        [
            message_build(kind=Kind.PAIR_ENDED, recipient=person, about=match)
            for person in recipients
            if person and person.pk
        ]
    )


def fit_check_asked_record(*, fit_checks) -> int:
    """Issue 15 §3: each partner is asked privately, by e-mail too."""
    return messages_record(
        [message_build(kind=Kind.FIT_CHECK_QUESTION, recipient=check.member, about=check) for check in fit_checks]
    )


def fit_check_concern_record(*, fit_check) -> int:
    """A 'does not fit' reaches every coordinator at once (never the partner)."""
    return messages_record(
        [
            message_build(kind=Kind.FIT_CHECK_CONCERN, recipient=person, about=fit_check)
            for person in selectors.coordinators()
        ]
    )


def not_matched_record(*, applications) -> int:
    """Issue 15 §5: matching closed, and she has no pair: a kind word, and she stays on the waiting list."""
    return messages_record(
        [
            message_build(kind=Kind.NOT_MATCHED, recipient=application.member, about=application)
            for application in applications
        ]
    )


def partner_left_record(*, match_id: int, partner_id: int) -> int:
    """R6: the partner who stays learns the pair ended (the message names nobody and gives no reason)."""
    from accounts.models import User
    from matching.models import Match

    match = Match.objects.filter(pk=match_id).first()
    partner = User.objects.filter(pk=partner_id).first()
    if match is None or partner is None:
        return 0
    return messages_record([message_build(kind=Kind.PAIR_ENDED, recipient=partner, about=match)])


def retention_notice_record(*, notice_id: int) -> int:
    """Retention's warning, once per notice (the outbox's unique key)."""
    from accounts.models import RetentionNotice

    notice = RetentionNotice.objects.filter(pk=notice_id).select_related("user").first()
    if notice is None:
        return 0
    return messages_record([message_build(kind=Kind.RETENTION_WARNING, recipient=notice.user, about=notice)])


def invitations_record(*, round_id: int) -> int:
    """R14: one invitation e-mail for every invitation of the round that has none yet, in one statement.

    Set-based (INSERT ... SELECT, the outbox's unique key skipping those recorded before), so
    100,000 invitations cost one statement, not 100,000 objects. Invitations to a round that has
    not opened wait until it opens.
    """
    from evaluations.models import EvaluationRound, Invitation

    round_ = EvaluationRound.objects.filter(pk=round_id).first()
    if round_ is None:
        return 0
    now = timezone.now()
    opens = timezone.make_aware(datetime.datetime.combine(round_.opens_on, datetime.time.min))
    outbox = OutboxMessage._meta.db_table
    invitations = Invitation._meta.db_table
    label = Invitation._meta.label_lower
    # Table names from the models' own metadata, every value a parameter.
    sql = f"""
            INSERT INTO {outbox} (kind, recipient_id, to_email, template, sealed_context, subject_type, subject_id,
                                  period, status, attempts, last_error, created_at, next_attempt_at)
            SELECT %s, invitation.user_id, '', '', '', %s, invitation.id, '', %s, 0, '', %s, %s
            FROM {invitations} invitation
            WHERE invitation.round_id = %s
              AND NOT EXISTS (
                  SELECT 1 FROM {invitations} earlier
                  WHERE earlier.round_id = invitation.round_id AND earlier.user_id = invitation.user_id
                    AND earlier.id < invitation.id
              )
            ON CONFLICT DO NOTHING
            """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                Kind.EVALUATION_INVITATION,
                label,
                Status.PENDING,
                connection.ops.adapt_datetimefield_value(now),
                connection.ops.adapt_datetimefield_value(max(now, opens)),
                round_.pk,
            ],
        )
        recorded = cursor.rowcount
    if recorded:
        delivery_nudge()
    return recorded


def _to_both(kind: str, matches) -> list[OutboxMessage]:
    return [
        message_build(kind=kind, recipient=person, about=match)
        for match in matches
        for person in (match.mentee, match.mentor)
    ]


def pair_messages_record(*, day: datetime.date) -> dict[str, int]:
    from matching import selectors as matching_selectors

    found = {
        Kind.QUIET_PAIR_NUDGE: _to_both(Kind.QUIET_PAIR_NUDGE, selectors.quiet_pairs_due(day)),
        Kind.MEETINGS_REMINDER: _to_both(Kind.MEETINGS_REMINDER, selectors.pairs_below_two_meetings_due(day)),
        Kind.RENEWAL_QUESTION: _to_both(Kind.RENEWAL_QUESTION, selectors.renewal_question_due(day)),
        # R8: one friendly reminder to the mentee; the unique key keeps it to one.
        Kind.FIRST_CONTACT_REMINDER: [
            message_build(kind=Kind.FIRST_CONTACT_REMINDER, recipient=match.mentee, about=match)
            for match in matching_selectors.first_contact_reminder_due(today=day)
        ],
    }
    return {str(kind): messages_record(messages) for kind, messages in found.items()}


def evaluation_messages_record(*, day: datetime.date) -> dict[str, int]:
    """Invitations for every open round (R14); reminders 7 and 14 days after her invitation while unanswered.

    invitations_ensure tells us (signal) about the invitations it makes, and we record their e-mails
    there; here we only make sure every invitation has its e-mail, set-based.
    """
    from evaluations import services as evaluation_services

    started = timezone.now()
    reminded = []
    for round_ in selectors.evaluation_rounds_open_on(day):
        evaluation_services.invitations_ensure(round=round_)
        invitations_record(round_id=round_.pk)
        # Issue 15 §6: one reminder per person per round, naming each of her roles: keyed, like her
        # invitation, on her first invitation of the round.
        first = selectors.first_invitation_per_person(round_)
        for invitation in selectors.invitations_to_remind(round_):
            period = selectors.evaluation_reminder_period(round_, invitation, day)
            if period:
                reminded.append(
                    message_build(
                        kind=Kind.EVALUATION_REMINDER,
                        recipient=invitation.user,
                        about=first[invitation.user_id],
                        period=period,
                    )
                )
    invited = OutboxMessage.objects.filter(kind=Kind.EVALUATION_INVITATION, created_at__gte=started).count()
    return {
        str(Kind.EVALUATION_INVITATION): invited,
        str(Kind.EVALUATION_REMINDER): messages_record(_unique(reminded)),
    }


def daily_jobs_run(*, day: datetime.date | None = None) -> dict[str, int]:
    """The one daily job: find what is due today in the database and record it (idempotent)."""
    from matching import services as matching_services

    day = day or timezone.localdate()
    with transaction.atomic():
        # Pairs whose start date has come are active before today's messages are chosen (matching's own
        # early-morning job does the same; both are idempotent, so a late or missed run changes nothing).
        matching_services.matches_start_due(today=day)
        counts = pair_messages_record(day=day)
        counts.update(evaluation_messages_record(day=day))
    return counts


def _unique(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """One message per outbox key (a member in two roles appears twice in the lists above)."""
    return list(
        {(msg.kind, msg.recipient_id, msg.subject_type, msg.subject_id, msg.period): msg for msg in messages}.values()
    )


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
