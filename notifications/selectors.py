"""Reads: what is due on a given day, and the counts for the coordinators' digest."""

import datetime
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Profile, VerificationStatus
from core import roles
from evaluations import selectors as evaluation_selectors
from evaluations.models import Invitation
from matching.models import Application, Cycle, Match, Role
from matching.selectors import RENEWAL_NOTICE
from meetings.selectors import NO_MEETING_ALERT_AFTER, REQUIRED_MEETINGS, with_meeting_stats

from .models import OutboxMessage

# R10: fewer than two meetings held when the planned end is this close: a reminder.
MEETINGS_REMINDER_BEFORE_END = relativedelta(months=2)
# Evaluation reminders after this many days without a receipt, then no more.
EVALUATION_REMINDER_DAYS = (7, 14)


def active_matches():
    return Match.objects.filter(status=Match.Status.ACTIVE).select_related("mentor", "mentee")


def quiet_pairs_due(day: datetime.date):
    """Active pairs that started at least six weeks ago and have held no meeting yet.

    Only until the R10 reminder takes over, so a pair never gets both.
    """
    matches = with_meeting_stats(
        matches=active_matches().filter(
            start_date__lte=day - NO_MEETING_ALERT_AFTER, planned_end__gt=day + MEETINGS_REMINDER_BEFORE_END
        )
    )
    return list(matches.filter(held_meeting_count=0))


def pairs_below_two_meetings_due(day: datetime.date):
    """R10: active pairs whose planned end is within two months, with fewer than two meetings held."""
    matches = with_meeting_stats(
        matches=active_matches().filter(planned_end__gt=day, planned_end__lte=day + MEETINGS_REMINDER_BEFORE_END)
    )
    return list(matches.filter(held_meeting_count__lt=REQUIRED_MEETINGS))


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


def unmatched_mentees():
    """Mentee applications in a cycle still being matched that have no live match in it."""
    live_match = Match.objects.filter(
        cycle=OuterRef("cycle"), mentee=OuterRef("member"), status__in=Match.LIVE_STATUSES
    )
    return Application.objects.filter(
        role=Role.MENTEE,
        status=Application.Status.SUBMITTED,
        cycle__status__in=[Cycle.Status.OPEN, Cycle.Status.MATCHING],
    ).exclude(Exists(live_match))


def digest_counts() -> dict[str, int]:
    """Counts only (R11, R14): no names, no mentorvraag, nothing a pair wrote."""
    matches = with_meeting_stats(matches=Match.objects.filter(status=Match.Status.ACTIVE))
    return {
        "awaiting_verification": Profile.objects.filter(verification_status=VerificationStatus.PENDING).count(),
        "unmatched_mentees": unmatched_mentees().count(),
        "pairs_without_meetings": matches.filter(held_meeting_count=0).count(),
        "failed_messages": failed_messages().count(),
    }


def withdrawals_since(since: datetime.datetime):
    """R6: who stepped out since the last digest: withdrawn applications and pairs that ended early."""
    applications = (
        Application.objects.filter(status=Application.Status.WITHDRAWN, withdrawn_at__gte=since)
        .select_related("member", "cycle")
        .order_by("withdrawn_at")
    )
    ended = (
        Match.objects.filter(status=Match.Status.ENDED_EARLY, ended_on__gte=timezone.localdate(since))
        .select_related("mentor", "mentee", "ended_by")
        .order_by("ended_on", "pk")
    )
    return list(applications), list(ended)


def failed_messages():
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
