"""Writes: putting messages in the outbox, delivering them exactly once in effect, the jobs.

The guarantees, in one place:
- creating a message is idempotent: the outbox's unique key plus INSERT ... ON CONFLICT DO NOTHING;
- a message is claimed before it is sent (pending -> sending, on PostgreSQL with
  SELECT ... FOR UPDATE SKIP LOCKED), so two workers never send the same row;
- it is marked sent right after its own send, so a crash repeats at most the one in flight;
- a claim left "sending" by a dead worker expires and is taken over;
- transient errors wait base * 2**(attempt-1) seconds in the database (not on the broker)
  and are retried by the every-minute ``deliver_due`` job; permanent errors are marked failed;
- tasks are queued in ``transaction.on_commit``, with ids only.
"""

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import RetentionNotice, User
from evaluations import services as evaluation_services
from matching import selectors as matching_selectors
from matching import services as matching_services
from matching.models import Match

from . import selectors
from .emails import PermanentDeliveryError, build_email, subjects_for
from .models import OutboxMessage

logger = logging.getLogger(__name__)

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status


def subject_key(obj) -> tuple[str, int]:
    return (obj._meta.label_lower, obj.pk) if obj is not None else ("", 0)


def message(kind: str, recipient, subject=None, period: str = "") -> OutboxMessage:
    subject_type, subject_id = subject_key(subject)
    return OutboxMessage(
        kind=kind, recipient=recipient, subject_type=subject_type, subject_id=subject_id, period=period
    )


def _key(msg: OutboxMessage) -> tuple:
    return (msg.kind, msg.recipient_id, msg.subject_type, msg.subject_id, msg.period)


def _pending_ids_for(messages: list[OutboxMessage]) -> list[int]:
    wanted = {_key(msg) for msg in messages}
    groups = defaultdict(set)
    for kind, recipient_id, subject_type, subject_id, period in wanted:
        groups[(kind, subject_type, period)].add((recipient_id, subject_id))
    ids = []
    for (kind, subject_type, period), pairs in groups.items():
        rows = OutboxMessage.objects.filter(
            kind=kind,
            subject_type=subject_type,
            period=period,
            status=Status.PENDING,
            recipient_id__in={recipient_id for recipient_id, _ in pairs},
            subject_id__in={subject_id for _, subject_id in pairs},
        ).values_list("pk", "recipient_id", "subject_id")
        ids.extend(pk for pk, recipient_id, subject_id in rows if (recipient_id, subject_id) in pairs)
    return sorted(ids)


def enqueue(messages: Iterable[OutboxMessage]) -> list[int]:
    """Record messages (a message that already exists is left alone) and queue the pending ones.

    Returns the ids queued. Running this twice for the same messages records and sends them once.
    """
    messages = list(messages)
    if not messages:
        return []
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=1000)
    ids = _pending_ids_for(messages)
    queue_delivery(ids)
    return ids


def queue_delivery(ids: list[int]) -> None:
    """Queue sending tasks once the surrounding transaction commits (ids only in the payload)."""
    if not ids:
        return
    from .tasks import send_messages

    batch_size = settings.NOTIFICATIONS_BATCH_SIZE
    chunks = [list(ids[i : i + batch_size]) for i in range(0, len(ids), batch_size)]

    def queue():
        for chunk in chunks:
            send_messages.delay(chunk)

    transaction.on_commit(queue)


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


def claim(*, ids: list[int] | None = None, limit: int | None = None):
    """Take messages for this process: pending -> sending, with a token only we hold.

    PostgreSQL locks the rows with SKIP LOCKED so a racing worker takes other rows
    instead of waiting; the UPDATE repeats the condition, so even without row locks
    (SQLite) a row is claimed by one caller only.
    """
    now = timezone.now()
    token = OutboxMessage.new_claim_token()
    limit = limit or settings.NOTIFICATIONS_BATCH_SIZE
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(_claimable(now))
        if ids is not None:
            rows = rows.filter(pk__in=ids)
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


def _deliver_claimed(token) -> DeliveryReport:
    report = DeliveryReport()
    messages = list(OutboxMessage.objects.filter(claim_token=token).select_related("recipient").order_by("pk"))
    mine = OutboxMessage.objects.filter(claim_token=token, status=Status.SENDING)
    subjects = subjects_for(messages)
    with get_connection() as mail_connection:
        for msg in messages:
            try:
                email = build_email(msg, subjects)
                email.connection = mail_connection
                email.send()
            except Exception as exc:  # every failure is recorded on the row; one bad message must not stop the batch
                error = f"{type(exc).__name__}: {exc}"[:2000]
                now = timezone.now()
                if is_permanent(exc) or msg.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
                    logger.warning("Outbox message %s failed for good: %s", msg.pk, error)
                    mine.filter(pk=msg.pk).update(status=Status.FAILED, last_error=error, claim_token=None)
                    report.failed += 1
                else:
                    logger.info("Outbox message %s will be retried: %s", msg.pk, error)
                    mine.filter(pk=msg.pk).update(
                        status=Status.PENDING,
                        last_error=error,
                        claim_token=None,
                        next_attempt_at=now + retry_delay(msg.attempts),
                    )
                    report.retrying += 1
            else:
                mine.filter(pk=msg.pk).update(status=Status.SENT, sent_at=timezone.now(), claim_token=None)
                report.sent += 1
    return report


def deliver(*, ids: list[int]) -> DeliveryReport:
    """Send these messages if they are still due; rows sent or taken by someone else are skipped."""
    report = DeliveryReport()
    ids = list(ids)
    batch_size = settings.NOTIFICATIONS_BATCH_SIZE
    for start in range(0, len(ids), batch_size):
        token = claim(ids=ids[start : start + batch_size], limit=batch_size)
        if token:
            report += _deliver_claimed(token)
    return report


def deliver_due(*, max_batches: int = 100) -> DeliveryReport:
    """Send whatever is due: retries whose wait is over and messages a dead worker left behind."""
    report = DeliveryReport()
    for _ in range(max_batches):
        token = claim()
        if not token:
            break
        report += _deliver_claimed(token)
    return report


def resend(*, ids: Iterable[int]) -> int:
    """A coordinator's second chance for failed messages: pending again, with fresh attempts."""
    ids = list(OutboxMessage.objects.filter(pk__in=list(ids), status=Status.FAILED).values_list("pk", flat=True))
    OutboxMessage.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claim_token=None
    )
    queue_delivery(ids)
    return len(ids)


# --- What to send --------------------------------------------------------------------


def notify_match_activated(*, match_id: int) -> list[int]:
    """R8: the mentee gets her mentor's contact details, the mentor learns who her mentee is."""
    match = (
        Match.objects.filter(pk=match_id, status__in=Match.ONGOING_STATUSES).select_related("mentor", "mentee").first()
    )
    if match is None:
        return []
    return enqueue([message(Kind.MATCH_MENTEE, match.mentee, match), message(Kind.MATCH_MENTOR, match.mentor, match)])


def notify_meeting_changed(*, meeting, by, change: str) -> list[int]:
    """Issue 15 §4: the other partner hears of a planned, changed or cancelled meeting, with a calendar update.

    One message per version of the meeting (its SEQUENCE), so every change is told once.
    """
    kind = {"planned": Kind.MEETING_PLANNED, "changed": Kind.MEETING_CHANGED, "cancelled": Kind.MEETING_CANCELLED}[
        change
    ]
    partner = meeting.match.partner_of(by)
    return enqueue([message(kind, partner, meeting, period=f"v{meeting.sequence}")])


def notify_match_ended(*, match) -> list[int]:
    """R6: when a partner stepped out, the other hears the pair ended; when a coordinator ended it, both do."""
    if match.ended_by_id is not None and match.ended_by_id in (match.mentor_id, match.mentee_id):
        recipients = [match.partner_of(match.ended_by)]
    else:
        recipients = [match.mentee, match.mentor]
    # A partner who erased her account has no address left (and is told nothing).
    return enqueue([message(Kind.PAIR_ENDED, person, match) for person in recipients if person and person.pk])


def notify_fit_check_asked(*, fit_checks) -> list[int]:
    """Issue 15 §3: each partner is asked privately, by e-mail too."""
    return enqueue([message(Kind.FIT_CHECK_QUESTION, check.member, check) for check in fit_checks])


def notify_fit_check_concern(*, fit_check) -> list[int]:
    """A 'does not fit' reaches every coordinator at once (never the partner)."""
    return enqueue([message(Kind.FIT_CHECK_CONCERN, person, fit_check) for person in selectors.coordinators()])


def notify_not_matched(*, applications) -> list[int]:
    """Issue 15 §5: matching closed, and she has no pair: a kind word, and she stays on the waiting list."""
    return enqueue([message(Kind.NOT_MATCHED, application.member, application) for application in applications])


def notify_partner_left(*, match_id: int, partner_id: int) -> list[int]:
    """R6: the partner who stays learns the pair ended (the message names nobody and gives no reason)."""
    match = Match.objects.filter(pk=match_id).first()
    partner = User.objects.filter(pk=partner_id).first()
    if match is None or partner is None:
        return []
    return enqueue([message(Kind.PAIR_ENDED, partner, match)])


def notify_retention_notice(*, notice_id: int) -> list[int]:
    """Retention's warning, once per notice (the outbox's unique key)."""
    notice = RetentionNotice.objects.filter(pk=notice_id).select_related("user").first()
    if notice is None:
        return []
    return enqueue([message(Kind.RETENTION_WARNING, notice.user, notice)])


def _to_both(kind: str, matches) -> list[OutboxMessage]:
    return [message(kind, person, match) for match in matches for person in (match.mentee, match.mentor)]


def queue_pair_messages(*, day: datetime.date) -> dict[str, int]:
    found = {
        Kind.QUIET_PAIR_NUDGE: _to_both(Kind.QUIET_PAIR_NUDGE, selectors.quiet_pairs_due(day)),
        Kind.MEETINGS_REMINDER: _to_both(Kind.MEETINGS_REMINDER, selectors.pairs_below_two_meetings_due(day)),
        Kind.RENEWAL_QUESTION: _to_both(Kind.RENEWAL_QUESTION, selectors.renewal_question_due(day)),
        # R8: one friendly reminder to the mentee; the unique key keeps it to one.
        Kind.FIRST_CONTACT_REMINDER: [
            message(Kind.FIRST_CONTACT_REMINDER, match.mentee, match)
            for match in matching_selectors.first_contact_reminder_due(today=day)
        ],
    }
    return {str(kind): len(enqueue(messages)) for kind, messages in found.items()}


def queue_evaluation_messages(*, day: datetime.date) -> dict[str, int]:
    """Invitations for every open round (R14); reminders 7 and 14 days after her invitation while unanswered."""
    invited, reminded = [], []
    for round_ in selectors.evaluation_rounds_open_on(day):
        evaluation_services.invitations_ensure(round=round_)
        # Issue 15 §6: one e-mail per person per round, naming each of her roles with its own link;
        # it is keyed on her first invitation of the round, so a member in both roles gets one.
        first = selectors.first_invitation_per_person(round_)
        invited += [
            message(Kind.EVALUATION_INVITATION, invitation.user, first[invitation.user_id])
            for invitation in round_.invitations.select_related("user")
        ]
        for invitation in selectors.invitations_to_remind(round_):
            period = selectors.evaluation_reminder_period(round_, invitation, day)
            if period:
                reminded.append(message(Kind.EVALUATION_REMINDER, invitation.user, first[invitation.user_id], period))
    return {
        str(Kind.EVALUATION_INVITATION): len(enqueue(_unique(invited))),
        str(Kind.EVALUATION_REMINDER): len(enqueue(_unique(reminded))),
    }


def _unique(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """One message per outbox key (a member in two roles appears twice in the lists above)."""
    return list({_key(msg): msg for msg in messages}.values())


def run_daily_jobs(*, day: datetime.date | None = None) -> dict[str, int]:
    """The one daily job: find what is due today in the database and queue it (idempotent)."""
    day = day or timezone.localdate()
    # Pairs whose start date has come are active before today's messages are chosen (matching's own
    # early-morning job does the same; both are idempotent, so a late or missed run changes nothing).
    matching_services.matches_start_due(today=day)
    counts = queue_pair_messages(day=day)
    counts.update(queue_evaluation_messages(day=day))
    return counts


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def send_coordinator_digest(*, day: datetime.date | None = None) -> list[int]:
    """The weekly digest to every coordinator, once per ISO week."""
    day = day or timezone.localdate()
    period = iso_week(day)
    return enqueue(message(Kind.COORDINATOR_DIGEST, person, None, period) for person in selectors.coordinators())
