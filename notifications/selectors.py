"""Reads: what is due on a given day."""

import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core import roles
from evaluations import selectors as evaluation_selectors
from evaluations.models import Invitation
from matching.models import Match
from matching.selectors import RENEWAL_NOTICE
from meetings import selectors as meetings_selectors

from .models import OutboxMessage

# Evaluation reminders after this many days without a receipt, then no more.
EVALUATION_REMINDER_DAYS = (7, 14)


def active_matches():
    return Match.objects.filter(status=Match.Status.ACTIVE).select_related("mentor", "mentee")


def quiet_pairs_due(day: datetime.date):
    """The meetings app's quiet pairs (the nudge), only until its R10 reminder takes over, so a pair
    never gets both."""
    return list(
        meetings_selectors.quiet_pairs(
            matches=active_matches().filter(planned_end__gt=day + meetings_selectors.MEETINGS_REMINDER_BEFORE_END),
            today=day,
        )
    )


def pairs_below_two_meetings_due(day: datetime.date):
    """R10: the meetings app's pairs short of meetings with their end near: both get a reminder."""
    return list(meetings_selectors.pairs_short_of_meetings(matches=active_matches(), today=day))


def renewal_question_due(day: datetime.date):
    """R5: active pairs whose planned end is within a month: both are asked whether to continue."""
    return list(active_matches().filter(planned_end__gt=day, planned_end__lte=day + RENEWAL_NOTICE))


def evaluation_rounds_open_on(day: datetime.date):
    return list(evaluation_selectors.rounds_open_on(day))


def invited_on(round_, invitation) -> datetime.date:
    """The day her invitation went out: the round's opening, or later for someone invited mid-round
    (a pair that became active after the round opened)."""
    return max(round_.opens_on, timezone.localdate(invitation.created_at))


def evaluation_reminder_period(round_, invitation, day: datetime.date) -> str | None:
    """Which reminder is due for her on this day: '7d' in her second week, '14d' after; None before.

    Counted from her own invitation, so someone invited late never gets a reminder with it.
    """
    days_invited = (day - invited_on(round_, invitation)).days
    due = [days for days in EVALUATION_REMINDER_DAYS if days_invited >= days]
    return f"{due[-1]}d" if due else None


def first_invitation_per_person(round_) -> dict:
    """user id -> her first invitation of the round: the one e-mail about all her roles hangs on it."""
    first = {}
    for invitation in round_.invitations.order_by("pk"):
        first.setdefault(invitation.user_id, invitation)
    return first


def remember_round_invitations(invitations) -> None:
    """For a batch of invitation e-mails: each person's invitations in her round, in one query for the
    batch, kept on each invitation so `invitations_of` asks nothing more for a first invitation."""
    invitations = list(invitations)
    if not invitations:
        return
    theirs = defaultdict(list)
    rows = Invitation.objects.filter(
        round_id__in={invitation.round_id for invitation in invitations},
        user_id__in={invitation.user_id for invitation in invitations},
    )
    for row in rows:
        theirs[(row.round_id, row.user_id)].append(row)
    for invitation in invitations:
        invitation.__dict__["_round_invitations"] = theirs[(invitation.round_id, invitation.user_id)]


def invitations_of(invitation, *, unanswered: bool = False) -> list:
    """All her invitations in the round of this one (mentor and/or mentee), mentor first."""
    if not unanswered and "_round_invitations" in invitation.__dict__:
        rows = invitation.__dict__["_round_invitations"]
    else:
        rows = invitation.round.invitations.filter(user_id=invitation.user_id)
        if unanswered:
            rows = rows.filter(
                pk__in=evaluation_selectors.invitations_without_receipt(round=invitation.round).values("pk")
            )
    return sorted(rows, key=lambda row: (row.role != "mentor", row.pk))


def invitations_to_remind(round_):
    """Unanswered invitations of people still in the programme.

    Someone whose pair ended early has stepped out (R6, participation is voluntary):
    she keeps her link, but is not chased with reminders.
    """
    still_taking_part = Match.objects.filter(
        Q(mentor=OuterRef("user")) | Q(mentee=OuterRef("user")),
        cycle=OuterRef("round__cycle"),
        status__in=[Match.Status.ACTIVE, Match.Status.COMPLETED],
    )
    return list(
        evaluation_selectors.invitations_without_receipt(round=round_)
        .filter(Exists(still_taking_part))
        .select_related("user")
    )


def coordinators():
    return roles.coordinators()


def failed_messages():
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)


def oldest_due_waiting_since(now: datetime.datetime) -> datetime.datetime | None:
    """Health: since when the longest-waiting e-mail has been due (waiting, its next attempt passed)."""
    return (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def failed_messages_since(since: datetime.datetime):
    """Health: e-mails that failed for good whose last attempt was after `since` (a count, no addresses)."""
    return failed_messages().filter(claimed_at__gte=since)
