"""Writes for the pair's goals (issue 26 §1–2). Either partner may add and change goals while the pair
works together; every change leaves a line of history (who, what, when), never a copy of the text."""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import fernet_keys
from core.validators import validate_single_line
from matching.models import Match

from . import crypto
from .disclosure import partner_may_see_goals
from .models import (
    LIVE_STATES,
    MAX_GOAL_LENGTH,
    MAX_LIVE_GOALS,
    MAX_NEXT_STEP_LENGTH,
    MAX_PROGRESS_NOTE_LENGTH,
    Goal,
    GoalEvent,
    GoalState,
)

logger = logging.getLogger(__name__)

# A target month lies between the pair's first month and this far after its planned end.
TARGET_MONTH_HORIZON = datetime.timedelta(days=2 * 366)


def _check_partner(match: Match, by) -> None:
    if not partner_may_see_goals(by, match):
        raise PermissionDenied("Only the mentor and the mentee of a pair change its goals.")


def _check_ongoing(match: Match) -> None:
    if not match.is_ongoing:
        raise ValidationError(_("This mentorship is no longer running, so its goals can no longer be changed."))


def _clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("Describe the goal in a sentence.")})
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("Use at most %(limit)d characters here; this text has %(count)d.")
                % {"limit": limit, "count": len(text)}
            }
        )
    return text


def _clean_target(match: Match, target_month):
    if target_month is None:
        return None
    target_month = target_month.replace(day=1)
    start = (match.start_date or timezone.localdate()).replace(day=1)
    end = (match.planned_end or timezone.localdate()) + TARGET_MONTH_HORIZON
    if not start <= target_month <= end:
        raise ValidationError({"target_month": _("Choose a month within your mentorship, or a little after it.")})
    return target_month


def _event(goal: Goal, *, by, kind: str, **fields) -> GoalEvent:
    event = GoalEvent(goal=goal, actor=by, kind=kind, **fields)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def goal_add(*, match: Match, by, text: str, next_step: str = "", target_month=None) -> Goal:
    """A new goal for this term; at most MAX_LIVE_GOALS open or on track at a time ("1–3 goals")."""
    _check_partner(match, by)
    match = Match.objects.select_for_update().get(pk=match.pk)
    _check_ongoing(match)
    text = _clean_text(text, field="text", limit=MAX_GOAL_LENGTH, required=True)
    next_step = _clean_text(next_step, field="next_step", limit=MAX_NEXT_STEP_LENGTH, required=False)
    target_month = _clean_target(match, target_month)
    if Goal.objects.filter(match=match, state__in=LIVE_STATES).count() >= MAX_LIVE_GOALS:
        raise ValidationError(
            _("You have %(max)d goals running. Mark one as achieved or dropped before adding another.")
            % {"max": MAX_LIVE_GOALS},
            code="too_many_goals",
        )
    goal = Goal(
        match=match,
        text_ciphertext=crypto.encrypt(text),
        next_step_ciphertext=crypto.encrypt(next_step) if next_step else "",
        target_month=target_month,
        created_by=by,
    )
    goal.full_clean()
    goal.save()
    _event(goal, by=by, kind=GoalEvent.Kind.ADDED, state=goal.state)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, by, text: str, next_step: str, target_month, state: str) -> Goal:
    """Change a goal; each changed part is one line of history (never the text itself)."""
    _check_partner(goal.match, by)
    goal = Goal.objects.select_for_update().select_related("match").get(pk=goal.pk)
    _check_ongoing(goal.match)
    text = _clean_text(text, field="text", limit=MAX_GOAL_LENGTH, required=True)
    next_step = _clean_text(next_step, field="next_step", limit=MAX_NEXT_STEP_LENGTH, required=False)
    target_month = _clean_target(goal.match, target_month)
    if state not in GoalState.values:
        raise ValidationError({"state": _("Choose open, on track, achieved or dropped.")})
    if (
        state in LIVE_STATES
        and not goal.is_live
        and Goal.objects.filter(match=goal.match, state__in=LIVE_STATES).count() >= MAX_LIVE_GOALS
    ):
        raise ValidationError(
            {"state": _("You have %(max)d goals running already.") % {"max": MAX_LIVE_GOALS}}, code="too_many_goals"
        )
    from .selectors import readable

    changes = []
    if readable(goal.text_ciphertext) != text:
        goal.text_ciphertext = crypto.encrypt(text)
        changes.append({"kind": GoalEvent.Kind.TEXT})
    if (readable(goal.next_step_ciphertext) or "") != next_step:
        goal.next_step_ciphertext = crypto.encrypt(next_step) if next_step else ""
        changes.append({"kind": GoalEvent.Kind.NEXT_STEP})
    if goal.target_month != target_month:
        goal.target_month = target_month
        changes.append({"kind": GoalEvent.Kind.TARGET})
    if goal.state != state:
        goal.state = state
        changes.append({"kind": GoalEvent.Kind.STATE, "state": state})
    if changes:
        goal.full_clean()
        goal.save()
        for change in changes:
            _event(goal, by=by, **change)
    return goal


def goals_progress_record(*, match: Match, by, notes: dict[int, str], meeting_starts_at=None) -> int:
    """Issue 26 §2: the one-line progress notes of a held meeting, one per goal (empty ones skipped).

    Called by meetings inside the transaction that marks the meeting held. Returns how many were noted.
    """
    _check_partner(match, by)
    wanted = {pk: (text or "").strip() for pk, text in notes.items() if (text or "").strip()}
    if not wanted:
        return 0
    goals = Goal.objects.filter(match=match, pk__in=wanted, state__in=LIVE_STATES)
    count = 0
    for goal in goals:
        text = _clean_text(wanted[goal.pk], field=f"goal_{goal.pk}", limit=MAX_PROGRESS_NOTE_LENGTH, required=False)
        try:
            validate_single_line(text)
        except ValidationError as error:
            raise ValidationError({f"goal_{goal.pk}": error.messages}) from None
        _event(
            goal,
            by=by,
            kind=GoalEvent.Kind.PROGRESS,
            note_ciphertext=crypto.encrypt(text),
            meeting_starts_at=meeting_starts_at,
        )
        count += 1
    return count


@transaction.atomic
def goals_choose_carry_over(*, match: Match, by, carried: set[int]) -> int:
    """R5: at the renewal moment the pair chooses which live goals go with them into a new term; the rest close.

    Either partner may set it (the other sees the choice on the same page). Returns how many are carried.
    """
    _check_partner(match, by)
    _check_ongoing(match)
    live = Goal.objects.select_for_update().filter(match=match, state__in=LIVE_STATES)
    count = 0
    for goal in live:
        goal.carry_over = goal.pk in carried
        goal.save(update_fields=["carry_over", "updated_at"])
        count += goal.carry_over
    return count


def goals_carry_to_new_term(*, new_term: Match) -> int:
    """R5: a renewed term starts with the live goals the pair chose to carry over; the others close.

    Idempotent (a goal is carried once: `carried_from` is one-to-one). Returns how many were carried.
    """
    if not new_term.is_renewed_term or not new_term.previous_term_id:
        return 0
    previous = Goal.objects.select_for_update(of=("self",)).filter(
        match_id=new_term.previous_term_id, state__in=LIVE_STATES, carried_to__isnull=True
    )
    carried = 0
    for goal in previous:
        if not goal.carry_over:
            if not goal.events.filter(kind=GoalEvent.Kind.CLOSED).exists():
                _event(goal, by=None, kind=GoalEvent.Kind.CLOSED)
            continue
        copy = Goal(
            match=new_term,
            text_ciphertext=goal.text_ciphertext,
            next_step_ciphertext=goal.next_step_ciphertext,
            target_month=goal.target_month,
            state=goal.state,
            carried_from=goal,
            created_by=goal.created_by,
        )
        copy.full_clean()
        copy.save()
        _event(goal, by=None, kind=GoalEvent.Kind.CARRIED_OVER)
        _event(copy, by=None, kind=GoalEvent.Kind.CARRIED_OVER, state=copy.state)
        carried += 1
    return carried


def goals_erase_for_mentee(*, user) -> int:
    """On erasure (AVG art. 17): the goals of her pairs as mentee came from her mentorvraag (R7): they go."""
    deleted, _per_model = Goal.objects.filter(match__mentee=user).delete()
    return deleted


def goal_texts_rotate_keys() -> int:
    """Re-encrypt every goal text, next step and progress note with the newest key; returns how many texts."""
    columns = [(Goal, "text_ciphertext"), (Goal, "next_step_ciphertext"), (GoalEvent, "note_ciphertext")]
    return sum(
        fernet_keys.rotate_column(model.objects, column, crypto.rotate, logger=logger) for model, column in columns
    )
