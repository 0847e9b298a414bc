"""Notifications' part of a member's data: the e-mails the programme sent her.

Registered in NotificationsConfig.ready() with accounts.personal_data. Also the outbox's
retention: after RETENTION_OUTBOX_DAYS only a message's kind, dates and status remain.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Contributor, Policy, model_section, register
from matching.models import Match

from .models import OutboxMessage

# What a message says beyond its kind, dates and status: emptied after RETENTION_OUTBOX_DAYS.
# (An account e-mail's sealed link is emptied when it is sent or fails; this catches any left behind.)
BODY_FIELDS = {"last_error": "", "sealed_context": ""}


def _subject_as_sent(message) -> str:
    """The subject line she received (in her language), or the kind of e-mail when it can no longer be built."""
    from .emails.build import build_email

    try:
        return build_email(message).subject
    except Exception:  # noqa: BLE001 - an old row whose subject is gone: its kind is enough
        return message.get_kind_display()


def collect(user):
    return [
        model_section(
            "emails",
            _("E-mails sent to you"),
            OutboxMessage.objects.filter(recipient=user).order_by("created_at"),
            model=OutboxMessage,
            viewer=user,
            description=_(
                "Which e-mails the programme sent you and when. After %(days)s days only the kind, dates and "
                "status of a message are kept."
            )
            % {"days": settings.RETENTION_OUTBOX_DAYS},
            exclude=["recipient"],
            extra={"subject": (_("subject"), _subject_as_sent)},
            withheld={
                "template": _("Which text the e-mail used: shown as its subject."),
                "subject_type": _("What the e-mail was about, as a technical reference: shown as its subject."),
                "subject_id": _("What the e-mail was about, as a technical reference: shown as its subject."),
                "period": _("A technical mark that keeps a reminder from being sent twice."),
                "attempts": _("How often sending was tried: a technical detail."),
                "next_attempt_at": _("When sending would be tried again: a technical detail."),
                "claimed_at": _("When a worker took the e-mail to send it: a technical detail."),
                "claim_token": _("A technical mark used while sending."),
                "last_error": _("A technical error message of the mail server."),
                "sealed_context": _("The encrypted link of an account e-mail while it waits to be sent."),
            },
        )
    ]


def erase(user, by=None):
    """Messages to others that would describe her, not yet sent, are withdrawn (the pair-ended one stays)."""
    her_matches = Match.objects.filter(Q(mentor=user) | Q(mentee=user)).values_list("pk", flat=True)
    OutboxMessage.objects.filter(
        subject_type=Match._meta.label_lower,
        subject_id__in=list(her_matches),
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED],
    ).exclude(kind=OutboxMessage.Kind.PAIR_ENDED).exclude(recipient=user).delete()


def purge(*, today: datetime.date, dry_run: bool) -> list[str]:
    before = today - datetime.timedelta(days=settings.RETENTION_OUTBOX_DAYS)
    has_body = Q()
    for name, empty in BODY_FIELDS.items():
        has_body |= ~Q(**{name: empty})
    expired = OutboxMessage.objects.filter(has_body, created_at__date__lt=before)
    count = expired.count()
    if not count:
        return []
    if not dry_run:
        expired.update(**BODY_FIELDS)
    return [f"empty the bodies of {count} e-mail messages older than {before:%Y-%m-%d}"]


def register_contributor():
    register(
        Contributor(
            app_label="notifications",
            relations={"notifications.outboxmessage.recipient": Policy.HERS},
            collect=collect,
            erase=erase,
            purge=purge,
            order=40,
        )
    )
