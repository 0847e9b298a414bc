"""Meetings panels for pages that know nothing of this app: the dashboard and the pair page."""

from django import template

from matching.selectors import participation_for_request

from .. import selectors

register = template.Library()


@register.inclusion_tag("meetings/_pair_panel_body.html", takes_context=True)
def meetings_pair_panel(context, match):
    """R10 progress, last and next meeting, and what to do next for one pair."""
    return {
        "match": match,
        "progress": selectors.pair_progress(match=match),
        "overdue": selectors.overdue_meetings_of(match=match)[:3],
        "is_active": match.is_ongoing,
        "user": context.get("user"),
        "pair_members": (match.mentor_id, match.mentee_id),
        # On the meetings list itself a link to that list would point at the page you are on.
        "show_list_link": not context.get("on_meetings_list"),
    }


@register.inclusion_tag("meetings/_dashboard_card.html", takes_context=True)
def meetings_dashboard(context):
    user = context.get("user")
    pairs = []
    if user is not None and user.is_authenticated:
        # Her pairs as the nav and the matching panel read them for this request: no second read.
        request = context.get("request")
        mine = participation_for_request(request=request).matches if request is not None else None
        for match, progress in selectors.active_pairs_with_progress(user=user, pairs=mine):
            pairs.append(
                {
                    "match": match,
                    "partner": match.partner_of(user),
                    "role": "mentor" if match.mentor_id == user.pk else "mentee",
                    "progress": progress,
                }
            )
    return {"pairs": pairs, "user": user}


@register.simple_tag
def pair_first_contact_made(match) -> bool:
    """R8: once the mentee said she made contact, or the pair has a (non-cancelled) meeting."""
    return selectors.pair_has_made_contact(match=match)
