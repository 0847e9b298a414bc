"""A pair's meetings (R9, R10), each partner's private notes on them (R11) and calendar feeds."""

import datetime
import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line
from matching.models import Match

MAX_DURATION_MINUTES = 8 * 60


class MentorTopic(models.TextChoices):
    """The MENTOR framework (R16): the themes a meeting may touch."""

    MISSION = "mission", _("Mission")
    ENGAGEMENT = "engagement", _("Engagement")
    NETWORKING = "networking", _("Networking")
    TRUST = "trust", _("Trust")
    OPPORTUNITIES = "opportunities", _("Opportunities")
    RENEW = "renew", _("Renew")


class MeetingStatus(models.TextChoices):
    """`Meeting.Status`; at module level so Meeting's constraints can read it."""

    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class MeetingMode(models.TextChoices):
    """`Meeting.Mode`. R9: the pair decide how they meet."""

    IN_PERSON = "in_person", _("in person")
    VIRTUAL = "virtual", _("virtual")


class Meeting(models.Model):
    """One meeting of a pair, planned or held; both partners see and may change it."""

    Status = MeetingStatus
    Mode = MeetingMode

    match = models.ForeignKey(
        "matching.Match", on_delete=models.CASCADE, related_name="meetings", verbose_name=_("pair")
    )
    # Stored in UTC, shown and entered in Europe/Amsterdam.
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration in minutes"),
        validators=[
            MinValueValidator(1, message=_("A meeting lasts at least one minute.")),
            MaxValueValidator(MAX_DURATION_MINUTES, message=_("A meeting lasts at most 8 hours.")),
        ],
    )
    mode = models.CharField(_("how"), max_length=12, choices=Mode.choices, default=Mode.IN_PERSON)
    location = models.CharField(_("location"), max_length=200, blank=True, validators=[validate_single_line])
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    # R8: the first meeting, planned on the mentee's initiative.
    is_introduction = models.BooleanField(_("introductory meeting"), default=False)
    topics = models.JSONField(_("MENTOR topics touched"), default=list, blank=True)
    # Stable identity for calendar apps, so a changed meeting updates instead of duplicating.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The planning form's one-time key: a double click or a resent form plans the meeting once.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("planned by")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("changed by")
    )
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    status_changed_at = models.DateTimeField(_("logged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Bumped on every change, so calendar apps pick up the newest version.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["match", "status", "starts_at"], name="meeting_match_status_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=MAX_DURATION_MINUTES),
                name="meeting_duration_1_to_480_minutes",
                violation_error_message=_("A meeting lasts between 1 minute and 8 hours."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values),
                name="meeting_status_known",
                violation_error_message=_("Choose planned, held or cancelled."),
            ),
            models.CheckConstraint(
                condition=Q(mode__in=MeetingMode.values),
                name="meeting_mode_known",
                violation_error_message=_("Choose in person or online."),
            ),
            # R8: one introductory meeting per pair (a cancelled one may be replaced).
            models.UniqueConstraint(
                fields=["match"],
                condition=Q(is_introduction=True) & ~Q(status=MeetingStatus.CANCELLED),
                name="meeting_one_introduction_per_pair",
                violation_error_message=_(
                    "This pair already has an introductory meeting. Cancel it first to plan another one."
                ),
            ),
            models.UniqueConstraint(fields=["match", "submission_key"], name="meeting_one_per_submission"),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.match} – {local:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    def topic_labels(self) -> list[str]:
        labels = dict(MentorTopic.choices)
        return [labels[topic] for topic in self.topics if topic in labels]


class PrivateNote(models.Model):
    """A partner's own notes on a meeting (R11): only the author ever reads them.

    The text is encrypted with Fernet (see meetings/crypto.py), so a database dump
    or a coordinator with database access sees only ciphertext. Not in the admin.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_notes")
    ciphertext = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "author"], name="private_note_one_per_author")]

    def __str__(self):
        # Never the text: this may end up in logs.
        return f"private note #{self.pk}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's private calendar subscription URL; revoking it makes the old URL a 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
                violation_error_message=_("There is already an active calendar link for this account."),
            )
        ]

    def __str__(self):
        return f"calendar feed #{self.pk} of {self.user}"


class PairMeetingStatistics(Match):
    """Coordinators' read-only view of pairs with meeting counts and dates, never content (R11)."""

    class Meta:
        proxy = True
        verbose_name = _("pair meeting statistics")
        verbose_name_plural = _("pair meeting statistics")


# Verification codes: 16 characters from an alphabet without look-alikes (80 bits), shown in groups of four.
CERTIFICATE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CERTIFICATE_CODE_LENGTH = 16


def new_certificate_code() -> str:
    return "".join(secrets.choice(CERTIFICATE_CODE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))


class CertificateRole(models.TextChoices):
    MENTOR = "mentor", _("mentor")
    MENTEE = "mentee", _("mentee")


class ParticipationCertificate(models.Model):
    """Issue 26 §5: a participation certificate as issued, so anyone can check it by its code.

    What the public check shows is kept as it was printed (name, role, cycle, hours); the code is
    random, so it says nothing about the member. Erased with her account.
    """

    Role = CertificateRole

    code = models.CharField(_("verification code"), max_length=CERTIFICATE_CODE_LENGTH, unique=True, editable=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="participation_certificates",
        verbose_name=_("member"),
    )
    match = models.ForeignKey(
        "matching.Match", on_delete=models.CASCADE, related_name="participation_certificates", verbose_name=_("pair")
    )
    full_name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    cycle_name = models.CharField(_("cycle"), max_length=100)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    meetings_held = models.PositiveSmallIntegerField(_("meetings held"))
    minutes_total = models.PositiveIntegerField(_("minutes in meetings"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("participation certificate")
        verbose_name_plural = _("participation certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=CertificateRole.values),
                name="certificate_role_known",
                violation_error_message=_("Choose mentor or mentee."),
            )
        ]

    def __str__(self):
        # Never the code: this may end up in logs.
        return f"participation certificate #{self.pk}"

    @property
    def code_display(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def hours_total(self) -> float:
        return round(self.minutes_total / 60, 2)
