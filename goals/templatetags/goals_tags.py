"""Goals panels for pages that know nothing of this app: the pair page and the renewal page (matching)."""

from django import template

from .. import selectors
from ..disclosure import partner_may_see_goals
from ..forms import CarryOverForm

register = template.Library()


@register.inclusion_tag("goals/_pair_panel_body.html", takes_context=True)
def goals_pair_panel(context, match):
    user = context.get("user")
    visible = partner_may_see_goals(user, match)
    return {
        "match": match,
        "visible": visible,
        "goals": selectors.pair_goals(match=match, with_history=False) if visible else [],
        "is_ongoing": match.is_ongoing,
        "is_mentee": user is not None and user.pk == match.mentee_id,
    }


@register.inclusion_tag("goals/_renewal_panel_body.html", takes_context=True)
def goals_renewal_panel(context, match):
    """R5: the goals and their history, and which running goals go into a new term."""
    user = context.get("user")
    visible = partner_may_see_goals(user, match)
    goals = selectors.pair_goals(match=match) if visible else []
    live = [view for view in goals if view.goal.is_live]
    return {
        "match": match,
        "visible": visible,
        "goals": goals,
        "form": CarryOverForm(goals=live) if live else None,
        "is_ongoing": match.is_ongoing,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
