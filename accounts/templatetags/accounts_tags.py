import datetime
import re

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

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
    if not user.is_coordinator:
        return None
    return selectors.verification_counts()


@register.simple_tag
def pending_verifications_url():
    """The member admin filtered on members awaiting verification."""
    return f"{reverse('admin:accounts_profile_changelist')}?verification_status__exact={VerificationStatus.PENDING}"


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?$")


@register.filter
def personal_value(value):
    """A value of Mijn gegevens as she reads it: yes/no, lists joined, a dash for nothing, and dates as
    people write them ("21 januari 2027", "21 januari 2027, 14:05"); the JSON keeps ISO 8601."""
    from django.utils.translation import gettext

    if value is None or value == "" or value == []:
        return "–"
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if isinstance(value, list):
        return ", ".join(str(personal_value(item)) for item in value)
    if isinstance(value, str) and ISO_DATE.match(value):
        return date_format(datetime.date.fromisoformat(value), "j F Y")
    if isinstance(value, str) and ISO_DATETIME.match(value):
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "j F Y, H:i")
    return value
