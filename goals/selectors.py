"""Reads for the pair's goals. Every page reaches a goal through `pair_for_goals` or `goal_for_user` (404)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.text import Truncator

from matching.models import Match
from matching.selectors import pair_for_user

from . import crypto
from .disclosure import partner_may_see_goals
from .models import LIVE_STATES, MAX_GOAL_LENGTH, Goal, GoalEvent, GoalState

# Issue 26 §2: the halfway check-in goes out from the halfway date (Match.halfway_date) on; a run
# missed for a while still sends it, but a pair past this window is not suddenly asked.
CHECK_IN_WINDOW = datetime.timedelta(days=14)


def pair_for_goals(*, user, pk) -> Match:
    """The pair, for its goal pages: its two partners only (after an early end the mentee only), else 404."""
    match = pair_for_user(user=user, pk=pk)
    if not partner_may_see_goals(user, match):
        raise Http404
    return match


def goal_for_user(*, user, pk) -> Goal:
    """One goal, for the partners of its pair only; everyone else (coordinators included) 404."""
    try:
        goal = Goal.objects.select_related("match").get(pk=pk)
    except (Goal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    goal.match = pair_for_goals(user=user, pk=goal.match_id)
    return goal


def readable(ciphertext: str) -> str | None:
    """The plain text, or None when no configured key opens it any more."""
    if not ciphertext:
        return ""
    try:
        return crypto.decrypt(ciphertext)
    except crypto.InvalidToken:
        return None


@dataclass
class HistoryLine:
    event: GoalEvent
    note: str | None = ""


@dataclass
class GoalView:
    """A goal as its partners read it: decrypted, with its history (newest last)."""

    goal: Goal
    text: str | None
    next_step: str | None
    history: list[HistoryLine] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        return self.text is None


def _view(goal: Goal, *, with_history: bool) -> GoalView:
    history = []
    if with_history:
        history = [HistoryLine(event=event, note=readable(event.note_ciphertext)) for event in goal.events.all()]
    return GoalView(
        goal=goal, text=readable(goal.text_ciphertext), next_step=readable(goal.next_step_ciphertext), history=history
    )


def pair_goals(*, match, with_history: bool = True) -> list[GoalView]:
    """The goals of this term, oldest first; live ones (open, on track) before the finished ones."""
    # Oldest first (the model's order), sorted here: Django's ORDER BY costs more CPU than a pair's few goals.
    goals = Goal.objects.filter(match=match).order_by()
    if with_history:
        goals = goals.prefetch_related(
            Prefetch("events", queryset=GoalEvent.objects.select_related("actor").order_by("at", "pk"))
        )
    views = [
        _view(goal, with_history=with_history) for goal in sorted(goals, key=lambda goal: (goal.created_at, goal.pk))
    ]
    return sorted(views, key=lambda view: (not view.goal.is_live,))


def live_goals(*, match) -> list[GoalView]:
    """The goals a held meeting can note progress on: open or on track."""
    return [_view(goal, with_history=False) for goal in Goal.objects.filter(match=match, state__in=LIVE_STATES)]


def pair_has_goals(*, match) -> bool:
    return Goal.objects.filter(match=match).exists()


def suggestion(*, match) -> str:
    """The first goal's prefilled text: her mentorvraag (R7), else the agreement's Missie (R16), shortened."""
    application = match.mentee_application
    question = (application.mentoring_question if application is not None else "") or ""
    agreement = getattr(match, "agreement", None)
    mission = (agreement.mission if agreement is not None else "") or ""
    source = " ".join((question.strip() or mission.strip()).split())
    return Truncator(source).chars(MAX_GOAL_LENGTH)


def pairs_due_check_in(*, day: datetime.date) -> list[Match]:
    """Issue 26 §2: active pairs whose halfway date (Match.halfway_date, its one home) has come, within the window."""
    candidates = Match.objects.filter(
        status=Match.Status.ACTIVE, start_date__lt=day, planned_end__gt=day
    ).select_related("mentor", "mentee")
    return [
        match
        for match in candidates
        if match.halfway_date is not None and match.halfway_date <= day <= match.halfway_date + CHECK_IN_WINDOW
    ]


def goal_counts(*, matches) -> dict[str, int]:
    """For the cockpit, counts only: pairs with goals, pairs with an achieved goal, achieved goals.

    ``matches`` is a queryset of pairs; the caller decides (coordination.suppression) what may be shown.
    """
    with_goals = matches.annotate(
        goal_count=Count("goals"),
        achieved=Count("goals", filter=Q(goals__state=GoalState.ACHIEVED)),
    ).filter(goal_count__gt=0)
    # One query: Django aggregates over the per-pair counts in a subquery.
    return with_goals.aggregate(
        pairs_with_goals=Count("pk"),
        pairs_with_achieved=Count("pk", filter=Q(achieved__gt=0)),
        goals_achieved=Coalesce(Sum("achieved"), 0),
    )
