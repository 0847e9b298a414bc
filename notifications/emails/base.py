"""What every e-mail shares: its content, absolute links, dates as the programme writes them."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import date_format


class PermanentDeliveryError(Exception):
    """Sending can never succeed (its subject is gone): mark failed, do not retry."""


@dataclass
class Content:
    subject: str
    paragraphs: list[str]
    details: list[tuple[str, str]] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)
    # Why she gets this e-mail, when it is not that she takes part in the programme.
    reason: str = ""
    # MIME parts to attach, e.g. a calendar invitation.
    attachments: list = field(default_factory=list)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def long_date(value) -> str:
    # "15 januari 2028" / "15 January 2028": day first in both languages, as the programme writes dates.
    return date_format(value, "j F Y")
