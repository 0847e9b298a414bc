"""Anonymous evaluations (R14).

Who has answered is kept apart from what was answered, down to the database:

- ``Invitation`` and ``Receipt`` know the person: she was invited, and she submitted.
- ``SealedBallot`` holds her answers while the round is open, encrypted (evaluations/sealing.py).
  It is written in the same transaction as her receipt, so it exists only until publication.
- ``Response`` knows the answers, and only the round and the role (mentor or mentee).
  It has no link to a person, no token, no timestamp, and a random UUID key. Responses are
  written only by publication after the round closed: all of a round's ballots opened,
  shuffled and inserted in one transaction of their own, so neither their transaction id
  (xmin) nor their physical order can tie one to a receipt.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line

# The programme has one notion of a role, matching's (mentor or mentee).
from matching.models import Cycle, Role

# The longest open answer, in characters. Every ballot is padded to the longest payload its
# round allows (evaluations/sealing.py), so this bound is also the size of every ballot.
MAX_OPEN_ANSWER_LENGTH = 2000


class EvaluationRound(models.Model):
    """One evaluation moment of a cycle, e.g. halfway (interim) or at the end of the year (final)."""

    class Kind(models.TextChoices):
        INTERIM = "interim", _("interim")
        FINAL = "final", _("final")
        AFTER_RENEWAL = "after_renewal", _("after a renewed term")

    class Audience(models.TextChoices):
        MENTORS = "mentors", _("mentors")
        MENTEES = "mentees", _("mentees")
        BOTH = "both", _("mentors and mentees")

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="evaluation_rounds", verbose_name=_("cycle")
    )
    name = models.CharField(_("name"), max_length=150, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.INTERIM)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.BOTH)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(
        _("closes on"), help_text=_("Results become visible after this date, once enough people have answered.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sealed_with = models.CharField(
        _("sealed with keys"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("Fingerprints of the seal keys that opened this round's ballots at publication (never the keys)."),
    )

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="round_closes_after_opening",
                violation_error_message=_("The evaluation cannot close before it opens."),
            ),
            models.UniqueConstraint(fields=["cycle", "name"], name="round_name_unique_per_cycle"),
        ]

    def __str__(self):
        return f"{self.name} ({self.cycle})"

    @property
    def roles(self) -> list[str]:
        """The roles invited to this round, mentors first."""
        if self.audience == self.Audience.MENTORS:
            return [Role.MENTOR]
        if self.audience == self.Audience.MENTEES:
            return [Role.MENTEE]
        return [Role.MENTOR, Role.MENTEE]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.pk is None:
            return
        stored = type(self).objects.filter(pk=self.pk).values("opens_on", "closes_on").first()
        if stored is None or not timezone.localdate() > stored["closes_on"]:
            return
        if (self.opens_on, self.closes_on) != (stored["opens_on"], stored["closes_on"]):
            # Reopening a closed round would let answers come in after its results were read:
            # comparing the results before and after would single out the late answers.
            raise ValidationError(
                {
                    "closes_on": _(
                        "This round has closed and its results may have been read, so its dates can no longer "
                        "change. Create a new round instead."
                    )
                }
            )

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on

    def has_closed_on(self, day) -> bool:
        return day > self.closes_on


class Question(models.Model):
    """One question of a round, in Dutch and English, asked of mentors, mentees or both."""

    class Kind(models.TextChoices):
        SCALE = "scale", _("scale 1–5")
        SINGLE_CHOICE = "single_choice", _("single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("multiple choice")
        OPEN = "open", _("open text")

    round = models.ForeignKey(
        EvaluationRound, on_delete=models.CASCADE, related_name="questions", verbose_name=_("evaluation round")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SCALE)
    asked_of = models.CharField(
        _("asked of"),
        max_length=10,
        choices=EvaluationRound.Audience.choices,
        default=EvaluationRound.Audience.BOTH,
    )
    text = models.CharField(_("question (Dutch)"), max_length=300, validators=[validate_single_line])
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True, validators=[validate_single_line])
    required = models.BooleanField(_("required"), default=True)
    scale_low = models.CharField(_("label for 1 (Dutch)"), max_length=60, blank=True, validators=[validate_single_line])
    scale_low_en = models.CharField(
        _("label for 1 (English)"), max_length=60, blank=True, validators=[validate_single_line]
    )
    scale_high = models.CharField(
        _("label for 5 (Dutch)"), max_length=60, blank=True, validators=[validate_single_line]
    )
    scale_high_en = models.CharField(
        _("label for 5 (English)"), max_length=60, blank=True, validators=[validate_single_line]
    )
    options = models.TextField(_("options (Dutch)"), blank=True, help_text=_("For choice questions: one per line."))
    options_en = models.TextField(
        _("options (English)"), blank=True, help_text=_("The same options in the same order, one per line.")
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["round", "order", "pk"]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.refuse_if_answered()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_answered()
        return super().delete(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        self.refuse_if_answered()
        errors = {}
        if self.kind in (self.Kind.SINGLE_CHOICE, self.Kind.MULTIPLE_CHOICE):
            if len(self.option_list("nl")) < 2:
                errors["options"] = _("A choice question needs at least two options, one per line.")
            elif self.options_en.strip() and len(self.option_list("en")) != len(self.option_list("nl")):
                errors["options_en"] = _("Give as many English options as Dutch ones, in the same order.")
        if self.kind == self.Kind.SCALE and not (self.scale_low.strip() and self.scale_high.strip()):
            errors["scale_low"] = _("A scale question needs a Dutch label for 1 and for 5.")
        if errors:
            raise ValidationError(errors)

    def refuse_if_answered(self):
        """Once answers came in, changing a question would change what those answers mean (R14).

        Answers (sealed or published) refer to a question by its id; the guard lives here, on
        the model, so the admin, a service and a shell session all meet it.
        """
        from django.core.exceptions import ValidationError

        if self.round_id is not None and round_has_answers(self.round_id):
            raise ValidationError(
                _("Answers to this round have come in: its questions can no longer be added, changed or deleted."),
                code="answered",
            )

    def is_asked_of(self, role: str) -> bool:
        return self.asked_of == EvaluationRound.Audience.BOTH or (
            (self.asked_of == EvaluationRound.Audience.MENTORS and role == Role.MENTOR)
            or (self.asked_of == EvaluationRound.Audience.MENTEES and role == Role.MENTEE)
        )

    @staticmethod
    def _english() -> bool:
        return (get_language() or "").startswith("en")

    def _localised(self, dutch: str, english: str) -> str:
        return english if self._english() and english.strip() else dutch

    @property
    def localised_text(self) -> str:
        return self._localised(self.text, self.text_en)

    @property
    def localised_scale_low(self) -> str:
        return self._localised(self.scale_low, self.scale_low_en)

    @property
    def localised_scale_high(self) -> str:
        return self._localised(self.scale_high, self.scale_high_en)

    def option_list(self, language: str | None = None) -> list[str]:
        """The choice options; answers store their position (1-based), so wording can be translated."""
        english = self._english() if language is None else language == "en"
        source = self.options_en if english and self.options_en.strip() else self.options
        return [line.strip() for line in source.splitlines() if line.strip()]


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A participant's personal invitation to a round, in one role. The token is the personal link."""

    round = models.ForeignKey(
        EvaluationRound, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("evaluation round")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="evaluation_invitations",
        verbose_name=_("participant"),
    )
    role = models.CharField(_("role"), max_length=6, choices=Role.choices)
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["round", "user__full_name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user", "role"], name="invitation_once_per_role_per_round"),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="invitation_role_known",
                violation_error_message=_("Choose mentor or mentee."),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.round}"

    def get_absolute_url(self):
        return reverse("evaluations:respond", kwargs={"token": self.token})


class Receipt(models.Model):
    """Only that she submitted: no answers, no time. One per invitation, so never twice."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="receipt", verbose_name=_("invitation")
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self):
        return str(self.invitation)


class SealedBallot(models.Model):
    """Her answers while the round is open: role and answers sealed together (evaluations/sealing.py).

    Only the round is in clear, so publication can find a closed round's ballots. No person,
    no time (the token's own timestamp is zero), and a random key. Deleted when published.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        EvaluationRound, on_delete=models.PROTECT, related_name="sealed_ballots", verbose_name=_("evaluation round")
    )
    sealed = models.TextField(_("sealed answers"))

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")

    def __str__(self):
        return str(_("sealed ballot"))


def round_has_answers(round_id: int) -> bool:
    """Whether anyone answered this round: a ballot waits to be published, or responses were."""
    return (
        SealedBallot.objects.filter(round_id=round_id).exists() or Response.objects.filter(round_id=round_id).exists()
    )


class Response(models.Model):
    """The answers of one anonymous participant. Deliberately nothing that points at a person.

    ``answers`` maps a question's id (as text) to the answer: a scale value (1–5), an option
    position (1-based), a list of option positions, or free text. Unanswered optional
    questions are left out.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        EvaluationRound, on_delete=models.PROTECT, related_name="responses", verbose_name=_("evaluation round")
    )
    role = models.CharField(_("role"), max_length=6, choices=Role.choices)
    answers = models.JSONField(_("answers"), default=dict)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        # No ordering by anything that could mirror the order of submission.
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="response_role_known",
                violation_error_message=_("Choose mentor or mentee."),
            )
        ]

    def __str__(self):
        # Never the answers: this string can end up in logs.
        return str(_("anonymous response"))
