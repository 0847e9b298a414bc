"""The coordinators' weekly digest: the cockpit's "needs attention" and next step, by e-mail.

The same list as the page (``cockpit.needs_attention``) for every cycle, so the page and the mail
never disagree about what needs a coordinator. The roof records the digest through the
notifications app's outbox (a downward import) and builds its text at sending time through the
builder it registers with ``notifications.emails.build`` in ``CoordinationConfig.ready()``:
notifications never imports the roof.
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from notifications import outbox
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.emails.base import Content, absolute_url
from notifications.models import OutboxMessage

from . import cockpit

KIND = OutboxMessage.Kind.COORDINATOR_DIGEST


def digest_record(*, day: datetime.date | None = None) -> int:
    """The weekly digest to every coordinator, once per ISO week (the outbox key holds the week)."""
    day = day or timezone.localdate()
    period = notification_services.iso_week(day)
    return outbox.messages_record(
        outbox.message_build(kind=KIND, recipient=person, period=period)
        for person in notification_selectors.coordinators()
    )


def _value(item: cockpit.Attention) -> str:
    if not item.names:
        return str(item.count)
    more = ", …" if item.count > len(item.names) else ""
    return f"{item.count} ({', '.join(item.names)}{more})"


def digest_content(message, _subject=None) -> Content:
    """The digest's text, in the recipient's language (build_email sets it), from today's data."""
    today = timezone.localdate()
    items = cockpit.needs_attention(None, today=today)
    details = [(capfirst(str(item.label)), _value(item)) for item in items]
    actions = [(_("Coordination"), absolute_url(reverse("coordination")))]
    actions += [(capfirst(str(item.label)), absolute_url(item.url)) for item in items if item.count]
    step = cockpit.programme_next_step(today=today)
    if step is not None:
        details.insert(0, (_("Next step"), f"{step.label} ({date_format(step.due, 'j F Y')})"))
    return Content(
        subject=_("Weekly overview of the mentor programme (%(week)s)") % {"week": message.period},
        paragraphs=[
            _(
                "This is the weekly overview of the mentor programme: what needs you this week, the same list "
                "as on the coordination page, for every cycle. The details are on that page and in the admin."
            )
        ],
        details=details,
        actions=actions,
        reason=_("You receive this e-mail because you are a coordinator of the mentor programme."),
    )
