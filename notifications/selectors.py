"""Reads: what is due on a given day, and the counts for the coordinators' digest.

Meetings and evaluations are separate apps that notifications must not depend on
at import time (they may be absent or still migrating), so every use of them goes
through ``optional()`` and a finder that finds nothing without them.
"""

import datetime
import importlib
import logging

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import COORDINATOR_GROUP, Profile, VerificationStatus
from matching.models import Application, Cycle, Match, Role

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# No meeting held this long after the start: a friendly nudge to the pair.
NUDGE_AFTER = datetime.timedelta(weeks=6)
# R10: fewer than two meetings held when the planned end is this close: a reminder.
MEETINGS_REMINDER_BEFORE_END = relativedelta(months=2)
# R5: the renewal question when the planned end is this close.
RENEWAL_QUESTION_BEFORE_END = relativedelta(months=1)
# Evaluation reminders after this many days without a receipt, then no more.
EVALUATION_REMINDER_DAYS = (7, 14)


def optional(module: str, name: str):
    """An attribute of another app's module, or None while that app does not provide it."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def active_matches():
    return Match.objects.filter(status=Match.Status.ACTIVE).select_related("mentor", "mentee")


def _with_meeting_stats(matches):
    with_meeting_stats = optional("meetings.selectors", "with_meeting_stats")
    if with_meeting_stats is None:
        logger.warning("meetings.selectors.with_meeting_stats is missing: meeting reminders are skipped.")
        return None
    return with_meeting_stats(matches)


def quiet_pairs_due(day: datetime.date):
    """Active pairs that started at least six weeks ago and have held no meeting yet.

    Only until the R10 reminder takes over, so a pair never gets both.
    """
    matches = _with_meeting_stats(
        active_matches().filter(start_date__lte=day - NUDGE_AFTER, planned_end__gt=day + MEETINGS_REMINDER_BEFORE_END)
    )
    return [] if matches is None else list(matches.filter(held_meeting_count=0))


def pairs_below_two_meetings_due(day: datetime.date):
    """R10: active pairs whose planned end is within two months, with fewer than two meetings held."""
    matches = _with_meeting_stats(
        active_matches().filter(planned_end__gt=day, planned_end__lte=day + MEETINGS_REMINDER_BEFORE_END)
    )
    return [] if matches is None else list(matches.filter(held_meeting_count__lt=2))


def renewal_question_due(day: datetime.date):
    """R5: active pairs whose planned end is within a month: both are asked whether to continue."""
    return list(active_matches().filter(planned_end__gt=day, planned_end__lte=day + RENEWAL_QUESTION_BEFORE_END))


def evaluation_rounds_open_on(day: datetime.date):
    rounds_open_on = optional("evaluations.selectors", "rounds_open_on")
    if rounds_open_on is None:
        logger.warning("evaluations.selectors.rounds_open_on is missing: evaluation mail is skipped.")
        return []
    return list(rounds_open_on(day))


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


def invitations_without_receipt(round_):
    finder = optional("evaluations.selectors", "invitations_without_receipt")
    return [] if finder is None else list(finder(round=round_).select_related("user"))


def coordinators():
    return get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=COORDINATOR_GROUP).distinct()


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


def digest_counts() -> dict[str, int | None]:
    """Counts only (R11, R14): no names, no mentorvraag, nothing a pair wrote."""
    matches = _with_meeting_stats(Match.objects.filter(status=Match.Status.ACTIVE))
    return {
        "awaiting_verification": Profile.objects.filter(verification_status=VerificationStatus.PENDING).count(),
        "unmatched_mentees": unmatched_mentees().count(),
        "pairs_without_meetings": None if matches is None else matches.filter(held_meeting_count=0).count(),
        "failed_messages": failed_messages().count(),
    }


def failed_messages():
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
