"""What to send: which e-mails an event or a day's job records in the outbox.

Each function here is called inside the transaction that makes the change (through a
signal receiver, see ``receivers.py``, or a scheduled job) and records its rows with
``outbox.messages_record``; delivery is ``delivery.py``'s job.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import RetentionNotice, User
from evaluations import services as evaluation_services
from evaluations.models import EvaluationRound, Invitation
from goals import selectors as goal_selectors
from matching import selectors as matching_selectors
from matching import services as matching_services
from matching.models import Match
from meetings import selectors as meetings_selectors

from . import selectors
from .models import OutboxMessage
from .outbox import delivery_nudge, message_build, message_record, messages_record, subject_key

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status


def match_activation_record(*, match_id: int) -> int:
    """R8: the mentee gets her mentor's contact details, the mentor learns who her mentee is.

    Called from matching's signal inside the confirming transaction: from 'gekoppeld' on (issue 15 §1).
    """
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


def mentor_asked_record(*, match_id: int) -> int:
    """Issue 25 §3: the mentor is asked whether she will mentor this mentee (in the confirming transaction)."""
    match = Match.objects.filter(pk=match_id, status=Match.Status.AWAITING_MENTOR).select_related("mentor").first()
    if match is None:
        return 0
    return messages_record([message_build(kind=Kind.MENTOR_ASKED, recipient=match.mentor, about=match)])


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


def match_undone_record(*, match) -> bool:
    """Issue 28 §4: a coordinator undid the pair within the hour, in the undo's transaction.

    Every mail about the pair that has not gone out is cancelled first (a worker that claimed one
    meanwhile has it as "sending"). When none went out, nothing reaches anyone. When one did (or is
    going out now), both partners get a short correction, about their own application, which stays.
    Returns whether they were told.
    """
    about = OutboxMessage.objects.filter(subject_type=subject_key(match)[0], subject_id=match.pk)
    about.filter(status__in=[Status.PENDING, Status.FAILED]).update(status=Status.CANCELLED, claim_token=None)
    if not about.filter(status__in=[Status.SENT, Status.SENDING]).exists():
        return False
    messages_record(
        message_build(kind=Kind.MATCH_UNDONE, recipient=application.member, about=application, period=f"u{match.pk}")
        for application in (match.mentee_application, match.mentor_application)
        if application is not None
    )
    return True


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


def pair_dates_changed_record(*, matches) -> int:
    """Issue 25 §9: both partners hear their pair's new start and end; once per new pair of dates (period)."""
    return messages_record(
        [
            message_build(
                kind=Kind.PAIR_DATES_CHANGED,
                recipient=person,
                about=match,
                # The period field holds 16 characters: both dates as YYYYMMDD.
                period=f"{match.start_date:%Y%m%d}{match.planned_end:%Y%m%d}",
            )
            for match in matches
            for person in (match.mentee, match.mentor)
            if person and person.pk
        ]
    )


def partner_left_record(*, match_id: int, partner_id: int) -> int:
    """R6: the partner who stays learns the pair ended (the message names nobody and gives no reason)."""
    match = Match.objects.filter(pk=match_id).first()
    partner = User.objects.filter(pk=partner_id).first()
    if match is None or partner is None:
        return 0
    return messages_record([message_build(kind=Kind.PAIR_ENDED, recipient=partner, about=match)])


def retention_notice_record(*, notice_id: int) -> int:
    """Retention's warning, once per notice (the outbox's unique key)."""
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
    found = {
        Kind.QUIET_PAIR_NUDGE: _to_both(Kind.QUIET_PAIR_NUDGE, selectors.quiet_pairs_due(day)),
        Kind.MEETINGS_REMINDER: _to_both(Kind.MEETINGS_REMINDER, selectors.pairs_below_two_meetings_due(day)),
        Kind.RENEWAL_QUESTION: _to_both(Kind.RENEWAL_QUESTION, selectors.renewal_question_due(day)),
        # Issue 26 §2: halfway through the term (Match.halfway_date), one friendly check-in to both.
        Kind.GOALS_CHECK_IN: _to_both(Kind.GOALS_CHECK_IN, goal_selectors.pairs_due_check_in(day=day)),
        # R8: one friendly reminder to the mentee; the unique key keeps it to one.
        Kind.FIRST_CONTACT_REMINDER: [
            message_build(kind=Kind.FIRST_CONTACT_REMINDER, recipient=match.mentee, about=match)
            for match in matching_selectors.first_contact_reminder_due(today=day)
        ],
        # Issue 25 §3: one reminder to a mentor who has not answered, two days before her answer is due.
        Kind.MENTOR_ASKED_REMINDER: [
            message_build(kind=Kind.MENTOR_ASKED_REMINDER, recipient=match.mentor, about=match)
            for match in matching_selectors.mentor_answer_reminder_due(today=day)
        ],
    }
    return {str(kind): messages_record(messages) for kind, messages in found.items()}


def evaluation_messages_record(*, day: datetime.date) -> dict[str, int]:
    """Invitations for every open round (R14); reminders 7 and 14 days after her invitation while unanswered.

    invitations_ensure tells us (signal) about the invitations it makes, and we record their e-mails
    there; here we only make sure every invitation has its e-mail, set-based.
    """
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


def meeting_period(meeting) -> str:
    """Issue 26 §4: one reminder and one question per meeting time; a meeting moved to another time gets its own."""
    return timezone.localtime(meeting.starts_at).strftime("%Y%m%d%H%M")


def meeting_messages_record(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Issue 26 §4: the day-before reminder to both partners and, after the end, "did it happen?" to the planner.

    Run every minute and by the daily job: a message recorded before is skipped here, and the outbox's
    unique key (INSERT ... ON CONFLICT DO NOTHING) keeps two runs at the same moment to one row each.
    """
    now = now or timezone.now()
    wanted = [
        message_build(kind=Kind.MEETING_TOMORROW, recipient=person, about=meeting, period=meeting_period(meeting))
        for meeting in meetings_selectors.meetings_to_remind(now=now)
        for person in (meeting.match.mentee, meeting.match.mentor)
    ] + [
        message_build(
            kind=Kind.MEETING_HELD_QUESTION,
            recipient=meetings_selectors.answer_recipient(meeting),
            about=meeting,
            period=meeting_period(meeting),
        )
        for meeting in meetings_selectors.meetings_to_ask_after(now=now)
    ]
    if not wanted:
        return {str(Kind.MEETING_TOMORROW): 0, str(Kind.MEETING_HELD_QUESTION): 0}
    recorded = set(
        OutboxMessage.objects.filter(
            kind__in=[Kind.MEETING_TOMORROW, Kind.MEETING_HELD_QUESTION],
            subject_type=wanted[0].subject_type,
            subject_id__in={message.subject_id for message in wanted},
        ).values_list("kind", "recipient_id", "subject_id", "period")
    )
    new = [m for m in wanted if (m.kind, m.recipient_id, m.subject_id, m.period) not in recorded]
    with transaction.atomic():
        messages_record(new)
    return {
        str(kind): sum(1 for message in new if message.kind == kind)
        for kind in (Kind.MEETING_TOMORROW, Kind.MEETING_HELD_QUESTION)
    }


def daily_jobs_run(*, day: datetime.date | None = None) -> dict[str, int]:
    """The one daily job: find what is due today in the database and record it (idempotent)."""
    day = day or timezone.localdate()
    with transaction.atomic():
        # Pairs whose start date has come are active before today's messages are chosen (matching's own
        # early-morning job does the same; both are idempotent, so a late or missed run changes nothing).
        matching_services.matches_start_due(today=day)
        counts = pair_messages_record(day=day)
        counts.update(evaluation_messages_record(day=day))
        counts.update(meeting_messages_record())
    return counts


def _unique(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """One message per outbox key (a member in two roles appears twice in the lists above)."""
    return list(
        {(msg.kind, msg.recipient_id, msg.subject_type, msg.subject_id, msg.period): msg for msg in messages}.values()
    )


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
