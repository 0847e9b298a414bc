"""allauth's e-mails through the outbox: sign-up confirmation, password reset, e-mail change, ...

allauth calls the account adapter's ``send_mail`` inside the request. Instead of talking
to the mail server there, ``OutboxAccountAdapter`` records an outbox row (so a mail server
that is down delays the mail, never the sign-up) with allauth's context sealed: the
confirmation or reset link is a secret, so it is encrypted, never shown in the admin, and
emptied once the mail is sent. Links are rebuilt on SITE_URL, not on the host a request
happened to name. The wording is the programme's own, in Dutch and English
(``notifications.emails.accounts``).
"""

from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from .outbox import account_message_record


def _on_site_url(value: str) -> str:
    """An absolute link allauth built from the request, moved onto the configured SITE_URL."""
    parts = urlsplit(value)
    site = urlsplit(settings.SITE_URL)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


def sealable_context(context: dict) -> dict:
    """What a mail needs later, as JSON: strings and numbers; links on SITE_URL; no request or objects."""
    kept = {}
    for key, value in context.items():
        if isinstance(value, bool | int | float):
            kept[key] = value
        elif isinstance(value, str):
            kept[key] = _on_site_url(value) if value.startswith(("http://", "https://")) else value
    return kept


class OutboxAccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, with every e-mail recorded in the outbox instead of sent in the request."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user")
        if user is None or getattr(user, "pk", None) is None:
            user = get_user_model().objects.filter(email__iexact=email).first()
        sealed = sealable_context({"email": email, **context})
        # The language she used the site in: she may not have chosen one yet (sign-up).
        sealed["language"] = translation.get_language() or settings.LANGUAGE_CODE
        account_message_record(template=template_prefix, to_email=email, recipient=user, context=sealed)
