from django import template

from evaluations import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def open_evaluations(context):
    """The logged-in member's evaluations she can answer today (for the dashboard panel)."""
    request = context.get("request")
    if request is None:
        return []
    return list(selectors.open_invitations_for_user(request.user))
