from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def member_status(user):
    """Her profile, verification and roles, for the dashboard panel."""
    return selectors.member_status(user=user)


@register.simple_tag
def verification_counts(user):
    """Counts only (never contact details), for a coordinator's dashboard panel."""
    if not user.is_staff:
        return None
    return selectors.verification_counts()
