"""The matching panel on the dashboard and the matching nav items; the dashboard view knows nothing of matching."""

from django import template
from django.utils.translation import gettext_lazy as _

from accounts.eligibility import role_decision

from .. import selectors
from ..models import Role

register = template.Library()


@register.inclusion_tag("matching/_dashboard_panel.html", takes_context=True)
def matching_dashboard(context):
    user = context["request"].user
    applications = [
        {"application": application, "state": selectors.application_state(application=application)}
        for application in selectors.applications_for_user(user=user)
        if application.cycle.status != application.cycle.Status.CLOSED
    ]
    return {
        "user": user,
        "applications": applications,
        "live_matches": [m for m in selectors.matches_for_user(user=user) if m.is_ongoing],
        "open_cycles": selectors.open_cycles(),
        # Only a verified member may apply (R2): the panel must not invite anyone else to.
        "may_apply": role_decision(user, Role.MENTEE),
    }


@register.simple_tag(takes_context=True)
def matching_nav(context):
    """What the nav offers: 'apply' while a cycle is open and she has no pair, else 'mine'."""
    user = context["request"].user
    has_something = (
        selectors.matches_for_user(user=user).exists() or selectors.applications_for_user(user=user).exists()
    )
    if not has_something and selectors.open_cycles().exists():
        return "apply"
    return "mine"


PAIR_STATE_LABELS = {
    "proposed": _("proposed"),
    "confirmed": _("matched"),
    "active": _("active"),
    "completed": _("completed"),
    "ended_early": _("ended early"),
    "renewed": _("renewed"),
}


@register.simple_tag
def pair_state_label(match):
    """The pair's place on its timeline: matched (before the start), active, completed, ended early, renewed."""
    return PAIR_STATE_LABELS[selectors.pair_state(match=match)]
