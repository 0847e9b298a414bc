import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    """`OutboxMessage.Status`; at module level so the model's constraints can read it."""

    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    # Never to be sent: its pair was undone before it went out (issue 28 §4).
    CANCELLED = "cancelled", _("cancelled")


class OutboxMessage(models.Model):
    """One e-mail the programme owes someone, recorded before it is sent.

    The unique key (kind, recipient, subject, period) makes every job idempotent:
    a job that runs twice, or two workers that race, find the row already there.
    The body is rendered only at sending time from the subject, so nothing
    confidential is stored here or travels through the broker.
    """

    class Kind(models.TextChoices):
        MATCH_MENTEE = "match_mentee", _("contact details of her mentor (mentee)")
        MATCH_MENTOR = "match_mentor", _("introduction of her mentee (mentor)")
        EVALUATION_INVITATION = "evaluation_invitation", _("evaluation invitation")
        EVALUATION_REMINDER = "evaluation_reminder", _("evaluation reminder")
        QUIET_PAIR_NUDGE = "quiet_pair_nudge", _("nudge: no meeting yet")
        MEETINGS_REMINDER = "meetings_reminder", _("reminder: at least two meetings")
        RENEWAL_QUESTION = "renewal_question", _("renewal question")
        COORDINATOR_DIGEST = "coordinator_digest", _("weekly coordinator digest")
        VERIFICATION_DECISION = "verification_decision", _("membership verified or rejected")
        # allauth's mails (sign-up confirmation, password reset, e-mail change, ...): which one is in `template`.
        ACCOUNT = "account", _("account e-mail")
        FIRST_CONTACT_REMINDER = "first_contact_reminder", _("reminder: first contact (mentee)")
        MEETING_PLANNED = "meeting_planned", _("meeting planned by the partner")
        MEETING_CHANGED = "meeting_changed", _("meeting changed by the partner")
        MEETING_CANCELLED = "meeting_cancelled", _("meeting cancelled by the partner")
        FIT_CHECK_QUESTION = "fit_check_question", _("question: does it fit?")
        FIT_CHECK_CONCERN = "fit_check_concern", _("a pair that does not fit (coordinators)")
        NOT_MATCHED = "not_matched", _("not matched this cycle")
        PAIR_ENDED = "pair_ended", _("the mentorship has ended")
        RETENTION_WARNING = "retention_warning", _("retention warning: data will be erased")
        MEETING_TOMORROW = "meeting_tomorrow", _("reminder: meeting tomorrow")
        MEETING_HELD_QUESTION = "meeting_held_question", _("question: did the meeting take place?")
        MATCH_UNDONE = "match_undone", _("correction: the match does not go ahead")
        GOALS_CHECK_IN = "goals_check_in", _("check-in halfway: how are your goals?")
        PAIR_DATES_CHANGED = "pair_dates_changed", _("the mentorship's dates changed with its cycle")
        MENTOR_ASKED = "mentor_asked", _("question to the mentor: will you mentor her?")
        MENTOR_ASKED_REMINDER = "mentor_asked_reminder", _("reminder to the mentor: answer the match")

    Status = OutboxStatus

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # Empty only for a mail to an address without an account (a password reset asked for an unknown address).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        verbose_name=_("recipient"),
        null=True,
        blank=True,
    )
    # The address, when it is not the recipient's own (a new address to confirm, no account at all).
    to_email = models.EmailField(_("to address"), blank=True, default="")
    # allauth's template prefix for account e-mails ("account/email/password_reset_key"): which mail it is.
    template = models.CharField(_("template"), max_length=100, blank=True, default="")
    # The account e-mail's context (its secret link), encrypted; never shown in the admin and
    # emptied once the message is sent, so a backup holds it only while it is waiting.
    sealed_context = models.TextField(blank=True, default="", editable=False)
    # What the message is about, as "app_label.model" and its id; empty and 0 for a digest.
    # Not a generic foreign key: NULLs would slip past the unique key.
    subject_type = models.CharField(_("about (type)"), max_length=64, blank=True, default="")
    subject_id = models.PositiveBigIntegerField(_("about (id)"), default=0)
    # Tells repeated messages about the same subject apart (a reminder's day, a digest's week).
    period = models.CharField(_("period"), max_length=16, blank=True, default="")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail message")
        verbose_name_plural = _("e-mail messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "subject_type", "subject_id", "period"], name="outbox_message_once"
            ),
            models.CheckConstraint(
                condition=~Q(status=OutboxStatus.SENT) | Q(sent_at__isnull=False),
                name="outbox_sent_dated",
                violation_error_message=_("A sent e-mail needs the time it was sent."),
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient or self.to_email}"

    @property
    def address(self) -> str:
        return self.to_email or self.recipient.email

    @staticmethod
    def new_claim_token():
        return uuid.uuid4()
