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
    if not user.is_coordinator:
        return None
    return selectors.verification_counts()


@register.filter
def personal_value(value):
    """A value of Mijn gegevens as she reads it: yes/no, lists joined, a dash for nothing."""
    from django.utils.translation import gettext

    if value is None or value == "" or value == []:
        return "–"
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value
