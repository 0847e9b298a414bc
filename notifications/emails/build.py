"""An outbox row becomes an e-mail: its subject read (one query per type for a batch), the builder of its
kind chosen, the text and HTML rendered in the recipient's language."""

from collections import defaultdict
from email import policy
from email.utils import format_datetime
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.validators import single_line
from matching import selectors as matching_selectors
from matching.models import Match

from .. import selectors
from ..models import OutboxMessage
from . import accounts, coordinators, evaluations, meetings, pairs
from .base import PermanentDeliveryError

Kind = OutboxMessage.Kind


OUTBOX_HEADER = "X-Mentorprogramma-Outbox-Id"


BUILDERS = {
    **pairs.BUILDERS,
    **meetings.BUILDERS,
    **evaluations.BUILDERS,
    **accounts.BUILDERS,
    **coordinators.BUILDERS,
}


def register_builder(kind: str, builder) -> None:
    """A higher app builds the e-mails of a kind it records, here at sending time like every other.

    The roof (coordination) registers its weekly digest in its AppConfig.ready(), so this app never
    imports it. ``builder(message, subject) -> Content``.
    """
    BUILDERS[kind] = builder


# Everything a builder reads from a subject, fetched in the same query.
SUBJECT_RELATED = {
    "matching.match": ["mentor__profile", "mentee__profile"],
    "evaluations.invitation": ["round"],
    "accounts.profile": ["user"],
    "meetings.meeting": ["match__mentor", "match__mentee", "created_by"],
    "matching.fitcheck": ["match__mentor", "match__mentee", "member"],
    "matching.application": ["cycle"],
}


def subject_of(message):
    if not message.subject_type:
        return None
    try:
        model = apps.get_model(message.subject_type)
        rows = model._default_manager.select_related(*SUBJECT_RELATED.get(message.subject_type, []))
        return rows.get(pk=message.subject_id)
    except (LookupError, ValueError) as exc:
        raise PermanentDeliveryError(f"unknown subject type {message.subject_type}") from exc
    except model.DoesNotExist as exc:
        raise PermanentDeliveryError(f"{message.subject_type} {message.subject_id} no longer exists") from exc


def subjects_for(messages) -> dict[tuple[str, int], object]:
    """The subjects of a batch of messages, one query per type (what build_email would fetch one by one)."""
    wanted = defaultdict(set)
    for message in messages:
        if message.subject_type:
            wanted[message.subject_type].add(message.subject_id)
    found = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue  # build_email reports it for the message itself
        rows = model._default_manager.select_related(*SUBJECT_RELATED.get(label, [])).in_bulk(ids)
        found.update({(label, pk): row for pk, row in rows.items()})
    # An invitation e-mail names all her roles in the round: read them for the whole batch at once.
    selectors.remember_round_invitations(
        row for (label, _pk), row in found.items() if label == "evaluations.invitation"
    )
    return found


def recipient_language(user) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return user.language if user is not None and user.language in languages else settings.LANGUAGE_CODE


def message_language(message: OutboxMessage) -> str:
    if message.kind == Kind.ACCOUNT:
        return accounts.account_language(message)
    return recipient_language(message.recipient)


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


class ProgrammeEmail(EmailMultiAlternatives):
    """Django's e-mail with the subject folded as RFC 5322 and 2047 intend.

    Django 5.2 encodes a long non-ASCII subject as a run of encoded words that starts on the line
    *after* "Subject:"; a client that unfolds naively shows it with a leading space. The modern email
    policy folds word by word, starting on the Subject line, and decodes back to exactly the subject.
    """

    def message(self, **kwargs):
        msg = super().message(**kwargs)
        folded = policy.SMTP.fold("Subject", str(self.subject))
        msg.replace_header("Subject", folded.removeprefix("Subject: ").rstrip("\r\n").replace("\r\n", "\n"))
        return msg


# Mails about one pair: when she is mentor in one pair and mentee in another, the subject says which.
ROLE_NAMED_KINDS = {
    Kind.QUIET_PAIR_NUDGE,
    Kind.MEETINGS_REMINDER,
    Kind.RENEWAL_QUESTION,
    Kind.FIRST_CONTACT_REMINDER,
    Kind.MEETING_PLANNED,
    Kind.MEETING_CHANGED,
    Kind.MEETING_CANCELLED,
    Kind.PAIR_ENDED,
    Kind.FIT_CHECK_QUESTION,
}


def _with_role(message: OutboxMessage, subject, text: str) -> str:
    if message.kind not in ROLE_NAMED_KINDS or message.recipient is None:
        return text
    match = subject if isinstance(subject, Match) else getattr(subject, "match", None)
    if match is None or message.recipient_id not in (match.mentor_id, match.mentee_id):
        return text
    if len(matching_selectors.ongoing_roles(user=message.recipient)) < 2:
        return text
    if message.recipient_id == match.mentor_id:
        return _("%(subject)s (as mentor)") % {"subject": text}
    return _("%(subject)s (as mentee)") % {"subject": text}


def stable_message_id(message: OutboxMessage) -> str:
    """One Message-ID per outbox row, set once: from its id and the moment it was recorded."""
    return f"<outbox.{message.pk}.{int(message.created_at.timestamp() * 1000)}@{site_domain()}>"


def build_email(message: OutboxMessage, subjects: dict | None = None) -> EmailMultiAlternatives:
    recipient = message.recipient
    subject = (subjects or {}).get((message.subject_type, message.subject_id)) or subject_of(message)
    with translation.override(message_language(message)):
        builder = BUILDERS.get(message.kind)
        if builder is None:
            raise PermanentDeliveryError(f"no app builds {message.kind} e-mails")
        content = builder(message, subject)
        context = {
            "content": content,
            "recipient": recipient,
            "programme_name": _("Mentor programme NOB Women's Network"),
            "contact_email": settings.PROGRAMME_CONTACT_EMAIL,
            "site_url": settings.SITE_URL,
            "language": translation.get_language(),
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
        # A header holds one line: a partner's stored name with a line break (from before names were
        # checked) must not make her mail fail on every attempt.
        subject_line = _with_role(message, subject, single_line(content.subject))
        language = translation.get_language()
    email = ProgrammeEmail(
        subject=subject_line,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        reply_to=[settings.PROGRAMME_CONTACT_EMAIL],
        headers={
            OUTBOX_HEADER: str(message.pk),
            # RFC 3834: no out-of-office replies to a machine.
            "Auto-Submitted": "auto-generated",
            # The same for every try of this row: a receiving server can drop a copy (issue 22).
            "Message-ID": stable_message_id(message),
            # The programme's own clock ("+0100"), not UTC's "-0000"; and the language it is written in.
            "Date": format_datetime(timezone.localtime()),
            "Content-Language": language,
        },
    )
    email.attach_alternative(html, "text/html")
    for part in content.attachments:
        email.attach(part)
    return email
