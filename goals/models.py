"""The pair's goals (issue 26 §1): the mentee's mentorvraag (R7) turned into 1–3 goals, with a history.

Private to the pair (R11): the texts are stored encrypted (goals/crypto.py), never in the admin,
never in an e-mail; coordinators see counts only. `__str__` never shows a text (logs, admin traces).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Bounded lengths, of the plain text (the ciphertext is longer): the services and forms check them.
MAX_GOAL_LENGTH = 300
MAX_NEXT_STEP_LENGTH = 300
MAX_PROGRESS_NOTE_LENGTH = 200
# "1–3 goals": at most this many open or on-track goals per term.
MAX_LIVE_GOALS = 3


class GoalState(models.TextChoices):
    """`Goal.State`; at module level so the model's constraints can read it."""

    OPEN = "open", _("open")
    ON_TRACK = "on_track", _("on track")
    ACHIEVED = "achieved", _("achieved")
    DROPPED = "dropped", _("dropped")


LIVE_STATES = (GoalState.OPEN, GoalState.ON_TRACK)


class Goal(models.Model):
    """One goal of a pair's term; either partner may add or change it while the pair works together."""

    State = GoalState

    match = models.ForeignKey("matching.Match", on_delete=models.CASCADE, related_name="goals", verbose_name=_("pair"))
    text_ciphertext = models.TextField(editable=False)
    next_step_ciphertext = models.TextField(editable=False, blank=True, default="")
    # The first day of the month she aims for; empty when they set none.
    target_month = models.DateField(_("target month"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    # R5: at the renewal moment the pair chooses per goal whether it goes with them into the new term.
    carry_over = models.BooleanField(_("carry over to a new term"), default=True)
    carried_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("carried over from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,  # once she erased her account (a carried-over goal keeps it empty)
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=GoalState.values),
                name="goal_state_known",
                violation_error_message=_("Choose open, on track, achieved or dropped."),
            ),
        ]

    def __str__(self):
        # Never the text: this may end up in logs.
        return f"goal #{self.pk}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES


class GoalEventKind(models.TextChoices):
    ADDED = "added", _("added the goal")
    TEXT = "text", _("changed the goal")
    NEXT_STEP = "next_step", _("changed the next step")
    TARGET = "target", _("changed the target month")
    STATE = "state", _("changed the state")
    PROGRESS = "progress", _("noted progress")
    CARRIED_OVER = "carried_over", _("goal carried over to the new term")
    CLOSED = "closed", _("goal closed with the term")


class GoalEvent(models.Model):
    """One line of a goal's history: who changed what, when. Never a copy of the goal's text;
    a progress note (from a held meeting) is stored encrypted like the goal itself."""

    Kind = GoalEventKind

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="events", verbose_name=_("goal"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,  # the programme itself (a goal carried over at a renewal), or a member who left
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    # For a state change: the new state.
    state = models.CharField(_("new state"), max_length=10, choices=GoalState.choices, blank=True, default="")
    note_ciphertext = models.TextField(editable=False, blank=True, default="")
    # For a progress note: the meeting it was noted at (its start; meetings live on a higher floor).
    meeting_starts_at = models.DateTimeField(_("meeting of"), null=True, blank=True)

    class Meta:
        verbose_name = _("goal history")
        verbose_name_plural = _("goal history")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=GoalEventKind.values),
                name="goal_event_kind_known",
            ),
        ]

    def __str__(self):
        return f"goal event #{self.pk}"
