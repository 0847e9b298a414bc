from django import template
from django.urls import reverse

from .. import selectors
from ..models import VerificationStatus

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


@register.simple_tag
def pending_verifications_url():
    """The member admin filtered on members awaiting verification."""
    return f"{reverse('admin:accounts_profile_changelist')}?verification_status__exact={VerificationStatus.PENDING}"


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
