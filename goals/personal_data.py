"""Goals' part of a member's data: the goals of her pairs and their history, decrypted, for each partner.

Registered in GoalsConfig.ready() with accounts.personal_data. Only what she may read herself
(goals.disclosure: after an early end her former mentor no longer reads the mentee's goals).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Contributor, Policy, model_section, register
from core.disclosure import HIDDEN, may_see

from .disclosure import partner_may_see_goals
from .models import Goal, GoalEvent
from .selectors import readable
from .services import goals_erase_for_mentee

UNREADABLE = _("(this text can no longer be read: its key has been removed)")


def _plain(viewer, row, field: str) -> str:
    if not may_see(viewer, row, field):
        return str(HIDDEN)
    text = readable(getattr(row, field))
    return str(UNREADABLE) if text is None else text


def collect(user):
    mine = Q(match__mentor=user) | Q(match__mentee=user)
    goals = [
        goal
        for goal in Goal.objects.filter(mine).select_related("match__cycle", "match__mentor", "match__mentee")
        if partner_may_see_goals(user, goal.match)
    ]
    events = list(GoalEvent.objects.filter(goal__in=goals).select_related("goal__match", "actor").order_by("at", "pk"))
    pair = (_("pair"), lambda goal: str(goal.match))
    return [
        model_section(
            "goals",
            _("Goals"),
            goals,
            model=Goal,
            viewer=user,
            description=_("The goals of your mentorships, as you and the other half of your pair both see them."),
            withheld={
                "text_ciphertext": _("Stored encrypted; shown here decrypted as 'goal'."),
                "next_step_ciphertext": _("Stored encrypted; shown here decrypted as 'next step'."),
                "match": _("Shown as the pair."),
                "carried_from": _("A technical link to the same goal in the previous term."),
                "created_by": _("Who entered a goal, you or the other half of your pair, is not kept apart for you."),
            },
            extra={
                "pair": pair,
                "goal": (_("goal"), lambda goal: _plain(user, goal, "text_ciphertext")),
                "next_step": (_("next step"), lambda goal: _plain(user, goal, "next_step_ciphertext")),
            },
        ),
        model_section(
            "goal_history",
            _("Goal history"),
            events,
            model=GoalEvent,
            viewer=user,
            description=_("Who changed what and when, and the progress noted at your meetings."),
            withheld={
                "note_ciphertext": _("Stored encrypted; shown here decrypted as 'progress note'."),
                "goal": _("Shown as the goal's number."),
                "actor": _("Who made a change, you or the other half of your pair, is not kept apart for you."),
            },
            extra={
                "goal_number": (_("goal number"), lambda event: event.goal_id),
                "progress_note": (
                    _("progress note"),
                    lambda event: _plain(user, event, "note_ciphertext") if event.note_ciphertext else "",
                ),
            },
        ),
    ]


def erase(user, *, by=None):
    goals_erase_for_mentee(user=user)


def register_contributor():
    register(
        Contributor(
            app_label="goals",
            relations={
                "goals.goal.created_by": Policy.ACTOR,
                "goals.goalevent.actor": Policy.ACTOR,
            },
            collect=collect,
            erase=erase,
            order=25,
        )
    )
