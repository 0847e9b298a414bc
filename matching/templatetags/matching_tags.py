"""The matching panel on the dashboard and the matching nav items; the dashboard view knows nothing of matching."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.eligibility import role_chosen, role_decision

from .. import selectors
from ..models import Role

register = template.Library()


@register.inclusion_tag("matching/_dashboard_panel.html", takes_context=True)
def matching_dashboard(context):
    request = context["request"]
    user = request.user
    participation = selectors.participation_for_request(request=request)
    applications = [
        {"application": application, "state": selectors.application_state(application=application)}
        for application in participation.applications
        if application.cycle.status != application.cycle.Status.CLOSED
    ]
    return {
        "user": user,
        "applications": applications,
        "live_matches": [m for m in participation.matches if m.is_ongoing],
        # Read only if the panel asks (she has neither pair nor application): a callable, which the template calls.
        "open_cycles": lambda: participation.open_cycles,
        # Only a verified member may apply (R2): the panel must not invite anyone else to.
        "may_apply": role_decision(user, Role.MENTEE),
        "chose_mentee": role_chosen(user, Role.MENTEE),
        "chose_mentor": role_chosen(user, Role.MENTOR),
    }


@register.simple_tag(takes_context=True)
def matching_nav(context):
    """What the nav offers: 'apply' while a cycle is open and she has no pair, else 'mine'."""
    return selectors.participation_for_request(request=context["request"]).nav_item()


PAIR_STATE_LABELS = {
    "proposed": _("proposed"),
    "awaiting_mentor": _("waiting for the mentor"),
    "declined": _("declined by the mentor"),
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


@register.simple_tag
def agreed_at(moment: str):
    """Under each part of the agreement (R16): when it was last agreed. `moment` comes written as a date
    (the template's |date), empty when that part was never agreed."""
    text = gettext("last agreed on %(moment)s") % {"moment": moment} if moment else gettext("not agreed yet")
    return format_html('<span class="d-block small text-body-secondary">{}</span>', text)
