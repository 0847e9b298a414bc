"""Startup checks: private notes (R11) cannot be written or read without a working key."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from . import crypto


@register()
def meeting_notes_keys_check(app_configs=None, **kwargs):
    """An empty or malformed MEETING_NOTES_KEYS stops the deploy, not a member saving her notes."""
    try:
        crypto.fernet()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="Set MEETING_NOTES_KEYS to one or more comma-separated Fernet keys (see meetings/crypto.py).",
                id="meetings.E001",
            )
        ]
    return []
