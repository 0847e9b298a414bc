"""Changing a cycle after matching (issue 25 §9): its start date or duration moves its pairs' dates along,
with a notice to both partners, or the change is refused with a clear message; never a silent mismatch
between the cycle and the pairs' pages and mails.

The pairs that follow the cycle are its first terms that are confirmed or active (a renewed term, R5,
runs from where the previous one ended and keeps its own dates):

- a confirmed pair (not started yet) starts on the new start date, or today if that has passed, as a
  confirmation would have chosen (`services.default_start_date`);
- an active pair that started on the cycle's start date starts on the new one when that is not after
  today (the record is corrected); a later start is refused: the pair has already begun;
- an active pair that started later (matched from the waiting list) keeps its start;
- every such pair ends its new duration after its start; an active pair whose new end would not be
  after today is refused (it would be past its end);
- the renewal moment in the agreement follows when the pair did not set it themselves.
"""

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

from . import selectors
from .models import Agreement, Cycle, Match
from .services import status_on
from .signals import pair_dates_changed


@dataclass
class Move:
    match: Match
    start_date: object
    planned_end: object


def _day(value) -> str:
    return date_format(value, "j F Y")


def cycle_dates_plan(*, cycle: Cycle, planned_start, duration_months: int, today=None) -> list[Move]:
    """The pairs whose dates change when the cycle gets this start and duration; ValidationError when
    that is not sound (keyed by the cycle's field, so a form shows it there)."""
    today = today or timezone.localdate()
    saved = Cycle.objects.filter(pk=cycle.pk).first() if cycle.pk else None
    if saved is None or (saved.planned_start, saved.duration_months) == (planned_start, duration_months):
        return []
    pairs = Match.objects.filter(cycle=saved, term=Match.FIRST_TERM, status__in=Match.ONGOING_STATUSES).select_related(
        "mentor", "mentee"
    )
    moves, started, past_end = [], [], []
    for match in pairs.order_by("pk"):
        start = match.start_date
        if match.status == Match.Status.CONFIRMED:
            start = max(planned_start, today)
        elif match.start_date == saved.planned_start and planned_start != saved.planned_start:
            if planned_start > today:
                started.append(match)
                continue
            start = planned_start
        end = start + relativedelta(months=duration_months)
        if match.status == Match.Status.ACTIVE and end <= today:
            past_end.append(match)
            continue
        if (start, end) != (match.start_date, match.planned_end):
            moves.append(Move(match=match, start_date=start, planned_end=end))
    errors = {}
    if started:
        errors["planned_start"] = ngettext(
            "%(count)s pair of this cycle started on %(date)s already; the start can no longer move past today. "
            "Choose a date up to today, or keep %(date)s.",
            "%(count)s pairs of this cycle started on %(date)s already; the start can no longer move past today. "
            "Choose a date up to today, or keep %(date)s.",
            len(started),
        ) % {"count": len(started), "date": _day(saved.planned_start)}
    if past_end:
        errors["duration_months"] = ngettext(
            "With this duration %(count)s running pair would be past its end already (%(pairs)s). "
            "Choose a longer duration, or end the pair first.",
            "With this duration %(count)s running pairs would be past their end already (%(pairs)s). "
            "Choose a longer duration, or end the pairs first.",
            len(past_end),
        ) % {"count": len(past_end), "pairs": ", ".join(str(match) for match in past_end[:5])}
    if errors:
        raise ValidationError(errors, code="pairs_disagree")
    return moves


@transaction.atomic
def cycle_save(*, cycle: Cycle, by=None) -> list[Match]:
    """Save the cycle as edited; when its start or duration changed after matching, its pairs' dates follow
    and both partners get a notice (outbox, this transaction). Returns the pairs that moved."""
    if cycle.pk:
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    moves = cycle_dates_plan(cycle=cycle, planned_start=cycle.planned_start, duration_months=cycle.duration_months)
    cycle.full_clean()
    cycle.save()
    moved = []
    for move in moves:
        match = Match.objects.select_for_update().get(pk=move.match.pk)
        match.start_date, match.planned_end = move.start_date, move.planned_end
        match.status = status_on(match.start_date) if match.status == Match.Status.CONFIRMED else match.status
        match.full_clean(validate_constraints=False)
        match.save()
        agreement = Agreement.objects.filter(match=match, evaluation_agreed_at__isnull=True).first()
        if agreement is not None:  # the pair did not set it: it follows the new end (R5, R16)
            agreement.evaluation_date = match.planned_end - selectors.RENEWAL_NOTICE
            agreement.full_clean()
            agreement.save()
        moved.append(match)
    if moved:
        pair_dates_changed.send(sender=Match, matches=moved)
    return moved
