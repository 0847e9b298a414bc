import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts import eligibility
from accounts.models import Expertise, MeetingPreference
from core.fields import BoundedTextField
from core.validators import validate_single_line


class Cycle(models.Model):
    """A programme cycle (e.g. "2027"): one application window, one start, one year (R4)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for applications")
        MATCHING = "matching", _("matching")
        RUNNING = "running", _("running")
        CLOSED = "closed", _("finished")

    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_single_line])
    applications_open = models.DateField(_("applications open"))
    applications_close = models.DateField(_("applications close"))
    planned_start = models.DateField(_("planned start"))
    duration_months = models.PositiveSmallIntegerField(_("duration in months"), default=12)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Set when the coordinators close matching: whoever has no pair then is told so (issue 15 §5).
    matching_closed_at = models.DateTimeField(_("matching closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("programme cycle")
        verbose_name_plural = _("programme cycles")
        ordering = ["-planned_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close__gte=F("applications_open")),
                name="cycle_window_ordered",
                violation_error_message=_("Applications cannot close before they open."),
            ),
            models.CheckConstraint(
                condition=Q(duration_months__gte=1) & Q(duration_months__lte=36),
                name="cycle_duration_sane",
                violation_error_message=_("A mentorship lasts between 1 and 36 months."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # Field messages a coordinator understands, before the constraints' generic "constraint violated".
        errors = {}
        if self.applications_open and self.applications_close and self.applications_close < self.applications_open:
            errors["applications_close"] = _("Applications cannot close before they open.")
        if self.applications_close and self.planned_start and self.planned_start < self.applications_close:
            errors["planned_start"] = _("The mentorships start after the applications have closed.")
        if self.duration_months is not None and not 1 <= self.duration_months <= 36:
            errors["duration_months"] = _(
                "Choose a duration from 1 to 36 months; in principle a mentorship runs a year."
            )  # R4
        if errors:
            raise ValidationError(errors)


# Name variants are given one per line (or separated by semicolons).
VARIANT_SEPARATORS = re.compile(r"[\n;]+")


class FirmGroup(models.Model):
    """Organisations that count as one firm for the conflict-of-interest rule, kept by coordinators.

    "PwC" with its variants "PricewaterhouseCoopers", "PwC Belastingadviseurs": a mentee is not
    offered a mentor from the same group (see matching/organisations.py).
    """

    name = models.CharField(_("name"), max_length=150, unique=True, validators=[validate_single_line])
    variants = BoundedTextField(
        _("name variants"),
        max_length=4000,
        blank=True,
        help_text=_(
            "One per line. A variant also covers names that start with it: “Deloitte” covers "
            "“Deloitte Belastingadviseurs B.V.”. Capitals, punctuation and legal forms do not matter."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation group")
        verbose_name_plural = _("organisation groups")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def variant_list(self) -> list[str]:
        return [self.name, *(part.strip() for part in VARIANT_SEPARATORS.split(self.variants or "") if part.strip())]


class Role(models.TextChoices):
    MENTEE = eligibility.MENTEE, _("mentee")
    MENTOR = eligibility.MENTOR, _("mentor")


# The mentor's "wat ik te bieden heb" stays short: it is read on a card among many.
OFFER_MAX_LENGTH = 600


class Application(models.Model):
    """A verified member's application to a cycle, as mentee (R7) or as mentor (R3)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")
        # Not matched in its cycle, and taken to a later cycle by the mentee herself (issue 25 §8).
        CARRIED = "carried", _("carried to a later cycle")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="applications", verbose_name=_("cycle"))
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=6, choices=Role.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    # R6: when she withdrew, for the coordinators' weekly digest.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Mentee (R7): the question or goal the pair starts from.
    mentoring_question = BoundedTextField(_("mentoring question or goal"), max_length=2000, blank=True)
    topics = models.ManyToManyField(Expertise, blank=True, verbose_name=_("topics"))
    meeting_preference = models.CharField(
        _("preferred way of meeting"), max_length=12, choices=MeetingPreference.choices, default=MeetingPreference.BOTH
    )
    prefers_same_region = models.BooleanField(_("prefers someone from my region"), default=False)
    allow_same_organisation = models.BooleanField(_("a mentor from my own organisation is fine"), default=False)
    # Mentee: organisations she does not want a mentor from (a former employer, a client's firm).
    avoid_organisations = models.CharField(
        _("no mentor from (organisations)"), max_length=500, blank=True, validators=[validate_single_line]
    )
    # Mentor: how many mentees she can take, and when she is available.
    capacity = models.PositiveSmallIntegerField(_("number of mentees"), default=1)
    availability = BoundedTextField(_("availability"), max_length=1000, blank=True)
    # Mentor: a few lines for the mentees' shortlist cards (issue 25 §1), "wat ik te bieden heb".
    offer = BoundedTextField(_("what I have to offer"), max_length=OFFER_MAX_LENGTH, blank=True)
    # Mentor: no new mentee this cycle; her pairs go on (issue 25 §4). `selectors.open_places` reads it.
    paused = models.BooleanField(_("pausing this cycle"), default=False)
    # Mentee: the application of an earlier cycle she carried to this one from the waiting list (issue 25 §8).
    carried_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("carried from"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["cycle", "role", "created_at"]
        # The admin's list pages in this order without sorting every application.
        indexes = [models.Index(fields=["cycle", "role", "created_at"], name="application_list_order_idx")]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "member", "role"], name="application_once_per_role_per_cycle"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=3),
                name="application_capacity_1_3",
                violation_error_message=_("A mentor takes on 1, 2 or 3 mentees."),
            ),
        ]

    def __str__(self):
        return f"{self.member} – {self.get_role_display()} – {self.cycle}"


# A mentee ranks at most this many mentors (issue 25 §1).
MAX_CHOICES = 3


class MentorChoice(models.Model):
    """A mentee's ranked choice of a mentor on her shortlist (issue 25 §1): 1 is her first choice.

    Only she and the coordinators see it (matching/disclosure.py): a mentor never learns who ranked her.
    The scoring turns it into a bonus (scoring.choice_points), so the optimum weighs it for the whole cycle.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="mentor_choices", verbose_name=_("mentee application")
    )
    # No reverse name: nothing reached from a mentor's application leads to who ranked her.
    mentor_application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="+", verbose_name=_("mentor application")
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mentor choice")
        verbose_name_plural = _("mentor choices")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "rank"],
                name="mentor_choice_rank_once",
                violation_error_message=_("Each place in your ranking can hold one mentor."),
            ),
            models.UniqueConstraint(
                fields=["application", "mentor_application"],
                name="mentor_choice_mentor_once",
                violation_error_message=_("You can rank a mentor only once."),
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=MAX_CHOICES),
                name="mentor_choice_rank_1_3",
                violation_error_message=_("You can rank up to three mentors."),
            ),
        ]

    def __str__(self):
        return f"{self.application} – {self.rank}"


class MatchQuerySet(models.QuerySet):
    def renewed_terms(self):
        """R5: terms after the first, i.e. the pair chose to continue (the rule is Match.renewed_term)."""
        return self.filter(Match.renewed_term())

    def with_next_term(self):
        """Annotate continues_in_next_term (R5: a later term follows), so a list needs no query per pair;
        `selectors.has_next_term` reads it."""
        return self.annotate(
            continues_in_next_term=models.Exists(Match.objects.filter(previous_term=models.OuterRef("pk")))
        )


class MatchStatus(models.TextChoices):
    """A pair's status (`Match.Status`); at module level so Match's constraints can read it."""

    PROPOSED = "proposed", _("proposed")
    # Confirmed by a coordinator, waiting for the mentor's yes (issue 25 §3, MATCHING_MENTOR_ACCEPTS): her
    # place is held, the mentee knows nothing yet and has no contact details (R8 waits for the yes).
    AWAITING_MENTOR = "awaiting_mentor", _("waiting for the mentor")
    # The mentor said no: the mentee never hears of it and is matched again (issue 25 §3).
    DECLINED = "declined", _("declined by the mentor")
    # Confirmed by a coordinator, before the cycle's start: they already know each other's
    # names and contact details (R8) and may plan the introduction, but the year has not begun.
    CONFIRMED = "confirmed", _("matched")
    ACTIVE = "active", _("active")
    COMPLETED = "completed", _("completed")
    ENDED_EARLY = "ended_early", _("ended early")


class EndCategory(models.TextChoices):
    """Why a pair ended early, as a short fixed category (issue 27 §2): the year report counts these,
    never the reason's free text. Stored as English codes."""

    TIME = "time", _("time or workload")
    FIT = "fit", _("the match did not fit")
    CIRCUMSTANCES = "circumstances", _("a new job or changed circumstances")
    GOAL_REACHED = "goal_reached", _("goal reached early")
    OTHER = "other", _("other")
    # Pairs ended before the category existed, and pairs ended because a partner erased her account.
    UNKNOWN = "unknown", _("not recorded")


# The categories a member or a coordinator chooses from when she ends a pair early.
END_CATEGORY_CHOICES = [(value, label) for value, label in EndCategory.choices if value != EndCategory.UNKNOWN]


# Proposed, waiting for the mentor's yes, or working together: at most one per mentee and cycle, both
# partners present, and each holds one of the mentor's places.
MATCH_LIVE_STATUSES = (MatchStatus.PROPOSED, MatchStatus.AWAITING_MENTOR, MatchStatus.CONFIRMED, MatchStatus.ACTIVE)
# The pair works together: contact details (R8), agreement, meetings.
MATCH_ONGOING_STATUSES = (MatchStatus.CONFIRMED, MatchStatus.ACTIVE)


class Match(models.Model):
    """A mentor–mentee pair for one term of (in principle) one year (R4); renewals are new terms (R5)."""

    Status = MatchStatus
    EndCategory = EndCategory
    LIVE_STATUSES = MATCH_LIVE_STATUSES
    ONGOING_STATUSES = MATCH_ONGOING_STATUSES
    FIRST_TERM = 1

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="matches", verbose_name=_("cycle"))
    # Empty only once a partner erased her account (AVG art. 17): the pair stays for the other's
    # sake and shows her as "voormalig deelnemer". A live pair always has both (constraint below).
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matches_as_mentor",
        verbose_name=_("mentor"),
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matches_as_mentee",
        verbose_name=_("mentee"),
    )
    mentor_application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, related_name="matches_as_mentor", null=True, blank=True
    )
    mentee_application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, related_name="matches_as_mentee", null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    term = models.PositiveSmallIntegerField(_("term"), default=FIRST_TERM)
    previous_term = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_term",
        verbose_name=_("previous term"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    # Issue 25 §3: the mentor agrees before her details go out. Asked when a coordinator confirmed the
    # pair, her answer due by then (MATCHING_MENTOR_ACCEPT_DAYS), answered yes or no at.
    mentor_asked_at = models.DateTimeField(_("mentor asked at"), null=True, blank=True)
    mentor_answer_due = models.DateField(_("mentor's answer due"), null=True, blank=True)
    mentor_answered_at = models.DateTimeField(_("mentor answered at"), null=True, blank=True)
    # Why she declined: the coordinators only (matching/disclosure.py), never the mentee.
    decline_reason = BoundedTextField(_("reason for declining"), max_length=2000, blank=True)
    # R8: the mentee's "I have made contact" (or her first planned meeting), whichever came first.
    first_contact_at = models.DateTimeField(_("first contact made at"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = BoundedTextField(_("reason for ending"), max_length=2000, blank=True)
    # The reason as a category, for the year report (empty while the pair has not ended early).
    end_category = models.CharField(_("reason category"), max_length=16, choices=EndCategory.choices, blank=True)
    # Whether the person who ended it chose to tell her partner the reason (otherwise coordinators only).
    end_reason_shared = models.BooleanField(_("reason shared with the partner"), default=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at"]
        # The admin's list pages newest first without sorting every pair.
        indexes = [models.Index(fields=["-created_at", "-id"], name="match_newest_first_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")),
                name="match_not_herself",
                violation_error_message=_("A mentor cannot be her own mentee."),
            ),
            # A mentee has at most one live (proposed or active) match per cycle.
            models.UniqueConstraint(
                fields=["cycle", "mentee"],
                condition=Q(status__in=MATCH_LIVE_STATUSES),
                name="match_one_live_per_mentee_per_cycle",
                violation_error_message=_("This mentee already has a proposed or running mentorship in this cycle."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(start_date__isnull=True) | Q(planned_end__gt=F("start_date")),
                name="match_end_after_start",
                violation_error_message=_("A mentorship must end after it starts."),
            ),
            models.CheckConstraint(
                condition=(
                    ~Q(status__in=MATCH_ONGOING_STATUSES) | Q(start_date__isnull=False, planned_end__isnull=False)
                ),
                name="match_active_has_dates",
                violation_error_message=_("A confirmed or active mentorship needs a start date and a planned end."),
            ),
            # Erasure ends a live pair before it empties her side: nobody is paired with nobody.
            models.CheckConstraint(
                condition=~Q(status__in=MATCH_LIVE_STATUSES) | Q(mentor__isnull=False, mentee__isnull=False),
                name="match_live_has_both_partners",
                violation_error_message=_(
                    "A proposed, confirmed or active mentorship needs both a mentor and a mentee."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.mentor_or_former} → {self.mentee_or_former} ({self.cycle})"

    @property
    def mentor_or_former(self):
        return self.mentor if self.mentor_id else FormerParticipant()

    @property
    def mentee_or_former(self):
        return self.mentee if self.mentee_id else FormerParticipant()

    @property
    def is_active(self) -> bool:
        """The year has started (R4): from the start date until it completes or ends early."""
        return self.status == self.Status.ACTIVE

    @property
    def is_confirmed(self) -> bool:
        """Matched, before the start date (shown as 'gekoppeld')."""
        return self.status == self.Status.CONFIRMED

    @property
    def is_ongoing(self) -> bool:
        """The pair works together, from confirmation on: contact details (R8), agreement edits, meetings."""
        return self.status in self.ONGOING_STATUSES

    @property
    def is_awaiting_mentor(self) -> bool:
        return self.status == self.Status.AWAITING_MENTOR

    @property
    def is_ended_early(self) -> bool:
        return self.status == self.Status.ENDED_EARLY

    # R5: a renewed term is a second or later term of the same pair (renewal), not a new introduction.
    # One rule, three forms: the condition (for counts inside a query), the lookup (for an admin link)
    # and the property (for one pair).
    RENEWED_TERM_LOOKUP = {"term__gt": FIRST_TERM}

    @classmethod
    def renewed_term(cls) -> Q:
        return Q(**cls.RENEWED_TERM_LOOKUP)

    @property
    def is_renewed_term(self) -> bool:
        return self.term > self.FIRST_TERM

    # The term's halfway point (issue 26 §2: the goals check-in): the one home of that date, derived
    # from the start and the planned end (start + the cycle's duration, set on activation).
    @property
    def halfway_date(self):
        if self.start_date is None or self.planned_end is None:
            return None
        return self.start_date + (self.planned_end - self.start_date) / 2

    def is_member(self, user) -> bool:
        return user.pk in (self.mentor_id, self.mentee_id)

    def partner_of(self, user):
        """Her partner, or a FormerParticipant once the partner erased her account."""
        return self.mentee_or_former if user.pk == self.mentor_id else self.mentor_or_former


class PairOverride(models.Model):
    """A coordinator allows a mentor and a mentee to be matched again although an earlier pair of theirs
    ended early or did not fit (issue 25 §5), with her reason; the Koppelscherm shows it."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("mentor")
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("mentee")
    )
    reason = BoundedTextField(_("reason"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allowed by"),
    )
    created_at = models.DateTimeField(_("allowed at"), default=timezone.now)

    class Meta:
        verbose_name = _("allowed pair despite an earlier pair")
        verbose_name_plural = _("allowed pairs despite an earlier pair")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "mentee"], name="pair_override_once"),
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")),
                name="pair_override_not_herself",
                violation_error_message=_("A mentor cannot be her own mentee."),
            ),
        ]

    def __str__(self):
        return f"{self.mentor} → {self.mentee}"


class FormerParticipant:
    """Stands in for a partner who erased her account: no name, no contact details, no profile."""

    pk = None
    id = None
    email = ""
    phone = ""
    profile = None
    is_former_participant = True

    @property
    def full_name(self) -> str:
        return str(_("former participant"))

    def get_short_name(self) -> str:
        return self.full_name

    def __str__(self):
        return self.full_name

    def __bool__(self):
        # Templates' {% if match.mentor %} style checks treat her as absent.
        return False


class Agreement(models.Model):
    """The pair's mentorship agreement along the MENTOR framework (R16), one per term.

    Each part carries the moment it was last agreed, so the pair page can show
    how fresh their arrangements are. It is the pair's own business: no admin.
    """

    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="agreement", verbose_name=_("match"))
    # M – Mission: starts from the mentee's mentorvraag (R7).
    mission = BoundedTextField(_("mission"), max_length=2000, blank=True)
    mission_agreed_at = models.DateTimeField(_("mission last agreed"), null=True, blank=True)
    # E – Engagement: how and how often they meet (R9).
    meeting_mode = models.CharField(
        _("how you meet"), max_length=12, choices=MeetingPreference.choices, default=MeetingPreference.BOTH
    )
    meeting_frequency = models.CharField(
        _("how often you meet"), max_length=200, blank=True, validators=[validate_single_line]
    )
    engagement_agreed_at = models.DateTimeField(_("engagement last agreed"), null=True, blank=True)
    # N – Networking: introductions the mentor offers (R12).
    networking = BoundedTextField(_("networking"), max_length=2000, blank=True)
    networking_agreed_at = models.DateTimeField(_("networking last agreed"), null=True, blank=True)
    # T – Trust: both confirm the confidentiality principle (R11).
    trust_confirmed_by_mentor_at = models.DateTimeField(_("mentor confirmed confidentiality"), null=True, blank=True)
    trust_confirmed_by_mentee_at = models.DateTimeField(_("mentee confirmed confidentiality"), null=True, blank=True)
    # O – Opportunities: what both hope to learn, reverse mentoring included.
    opportunities = BoundedTextField(_("opportunities"), max_length=2000, blank=True)
    opportunities_agreed_at = models.DateTimeField(_("opportunities last agreed"), null=True, blank=True)
    # R – Renew: the evaluation and renewal moment, set at the start.
    evaluation_date = models.DateField(_("evaluation and renewal moment"), null=True, blank=True)
    evaluation_agreed_at = models.DateTimeField(_("evaluation moment last agreed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mentorship agreement")
        verbose_name_plural = _("mentorship agreements")

    def __str__(self):
        return str(self.match)

    def clean(self):
        # R16 "Renew": the moment to look back lies within the term it is about.
        term = self.match
        when = self.evaluation_date
        if when and term.start_date and term.planned_end and not term.start_date <= when <= term.planned_end:
            raise ValidationError(
                {
                    "evaluation_date": _(
                        "Choose a moment within your mentorship's term, between %(start)s and %(end)s."
                    )
                    % {"start": date_format(term.start_date, "j F Y"), "end": date_format(term.planned_end, "j F Y")}
                }
            )


class RenewalAnswer(models.Model):
    """One partner's answer to "do you want to continue?" near the end of a term (R5)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="renewal_answers", verbose_name=_("match"))
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    wants_to_continue = models.BooleanField(_("wants to continue"))
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("renewal answer")
        verbose_name_plural = _("renewal answers")
        constraints = [
            models.UniqueConstraint(fields=["match", "member"], name="renewal_answer_once_per_partner"),
        ]

    def __str__(self):
        return f"{self.match} – {self.member}"


class MatchingProposal(models.Model):
    """The optimal proposal for a cycle, computed in the background and reviewed before anything is saved.

    A Celery task fills it (with its progress, so the page can show how far it is); the
    coordinator reviews and edits the stored choices page by page and confirms them. It
    remembers the cycle's state it was computed from: once the cycle changed (an application,
    a match, a profile) it is stale and must be computed again before it can be confirmed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("being computed")
        READY = "ready", _("ready to review")
        FAILED = "failed", _("failed")
        CONFIRMED = "confirmed", _("confirmed")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("cycle"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    cycle_state = models.CharField(_("state of the cycle"), max_length=64, blank=True)
    # mentee application id (as text) -> [mentor application id or null, include]
    choices = models.JSONField(_("proposed pairs"), default=dict, blank=True)
    pair_count = models.PositiveIntegerField(_("pairs"), default=0)
    total_score = models.IntegerField(_("total score"), default=0)
    method = models.CharField(_("method"), max_length=10, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("matching proposal")
        verbose_name_plural = _("matching proposals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="proposal_progress_at_most_100",
                violation_error_message=_("Progress cannot exceed 100 percent."),
            ),
        ]

    def __str__(self):
        return f"{self.cycle} – {self.get_status_display()}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def included_pair_count(self) -> int:
        """How many pairs "Bevestig alle ..." would confirm: the chosen mentors still ticked."""
        return sum(1 for mentor_id, include in self.choices.values() if include and mentor_id is not None)

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class FitCheck(models.Model):
    """One partner's private answer to "Does it fit?" after the introduction (issue 15 §3).

    Asked of each partner separately once the introductory meeting is held, and again after
    the next meeting while she is in doubt. The answer and the note are for the coordinators
    only: the partner never sees them (R11). A 'no' reaches the coordinators at once.
    """

    class Answer(models.TextChoices):
        GOOD = "good", _("good")
        DOUBT = "doubt", _("still in doubt")
        NO = "no", _("it does not fit")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="fit_checks", verbose_name=_("match"))
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices, blank=True)
    note = BoundedTextField(_("note for the coordinators"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fit check")
        verbose_name_plural = _("fit checks")
        ordering = ["match", "member", "round"]
        constraints = [
            models.UniqueConstraint(fields=["match", "member", "round"], name="fit_check_once_per_round"),
            models.CheckConstraint(
                condition=Q(answer="") | Q(answered_at__isnull=False),
                name="fit_check_answer_dated",
                violation_error_message=_("An answer to the fit check needs the date it was given."),
            ),
        ]

    def __str__(self):
        return f"{self.match} – {self.member} – {self.round}"
