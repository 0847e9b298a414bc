from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.fields import BoundedTextField
from core.roles import COORDINATOR_GROUP, is_coordinator
from core.validators import validate_single_line

__all__ = ["COORDINATOR_GROUP"]  # kept importable from here for the apps' own code


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: a member, a coordinator or both. E-mail is the login."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, validators=[validate_single_line])
    # Used for e-mails sent outside a request (Celery), where no cookie tells the language.
    language = models.CharField(_("language"), max_length=8, default="nl")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        # Lists of members sort by name (the profiles list at 10,000 members: 9 ms to 0.2 ms for a page).
        indexes = [models.Index(fields=["full_name", "email"], name="user_name_email_idx")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_coordinator(self) -> bool:
        # The one definition lives on the ground floor (core.roles); templates ask it here.
        return is_coordinator(self)


class Expertise(models.Model):
    """An area of tax expertise; coordinators maintain the list in the admin."""

    name = models.CharField(_("name (Dutch)"), max_length=100, unique=True, validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True, validators=[validate_single_line])

    class Meta:
        verbose_name = _("area of expertise")
        verbose_name_plural = _("areas of expertise")
        ordering = ["name"]

    def __str__(self):
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class MembershipType(models.TextChoices):
    MEMBER = "member", _("member")
    ASPIRANT = "aspirant", _("aspiring member")


class Region(models.TextChoices):
    DRENTHE = "drenthe", "Drenthe"
    FLEVOLAND = "flevoland", "Flevoland"
    FRIESLAND = "friesland", "Friesland"
    GELDERLAND = "gelderland", "Gelderland"
    GRONINGEN = "groningen", "Groningen"
    LIMBURG = "limburg", "Limburg"
    NOORD_BRABANT = "noord-brabant", "Noord-Brabant"
    NOORD_HOLLAND = "noord-holland", "Noord-Holland"
    OVERIJSSEL = "overijssel", "Overijssel"
    UTRECHT = "utrecht", "Utrecht"
    ZEELAND = "zeeland", "Zeeland"
    ZUID_HOLLAND = "zuid-holland", "Zuid-Holland"
    ABROAD = "abroad", _("abroad")


class MeetingPreference(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    VIRTUAL = "virtual", _("virtual")
    BOTH = "both", _("both")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("awaiting verification")
    VERIFIED = "verified", _("verified")
    REJECTED = "rejected", _("rejected")


membership_number_validator = RegexValidator(
    regex=r"^\d{4,8}$",
    message=_("An NOB membership number consists of 4 to 8 digits."),
)


class Profile(models.Model):
    """A member's programme profile (R2, R3). Contact fields are for her partner only."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user"))
    membership_number = models.CharField(
        _("NOB membership number"),
        max_length=8,
        unique=True,
        validators=[membership_number_validator],
    )
    membership_type = models.CharField(_("membership type"), max_length=10, choices=MembershipType.choices)
    confirms_female_member = models.BooleanField(_("confirms she is a female (aspiring) NOB member"), default=False)
    organisation = models.CharField(_("organisation"), max_length=150, validators=[validate_single_line])
    job_title = models.CharField(_("job title"), max_length=150, validators=[validate_single_line])
    career_start_year = models.PositiveSmallIntegerField(_("year your working career started"))
    expertise = models.ManyToManyField(Expertise, blank=True, verbose_name=_("areas of expertise"))
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    meeting_preference = models.CharField(
        _("preferred way of meeting"), max_length=12, choices=MeetingPreference.choices, default=MeetingPreference.BOTH
    )
    languages = models.CharField(
        _("languages"), max_length=150, default="Nederlands", validators=[validate_single_line]
    )
    introduction = BoundedTextField(_("short introduction"), max_length=2000, blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True, validators=[validate_single_line])
    linkedin_url = models.URLField(_("LinkedIn profile"), blank=True)
    wants_mentee = models.BooleanField(_("I would like a mentor (mentee)"), default=False)
    wants_mentor = models.BooleanField(_("I would like to be a mentor"), default=False)

    verification_status = models.CharField(
        _("verification status"), max_length=14, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    verification_note = BoundedTextField(_("reason (visible to the member)"), max_length=1000, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Empty for automatic verification from the member list; the coordinator otherwise.
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified or rejected by"),
    )
    # Set when a newer member list no longer contains her: a coordinator looks, nothing is deleted.
    needs_review = models.BooleanField(_("needs review"), default=False)

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")
        ordering = ["user__full_name"]
        # AVG art. 17: a coordinator erases a member who asks for it (accounts.data_rights.member_erase).
        permissions = [("erase_member", _("Can erase a member and her personal data at her request"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(career_start_year__gte=1940) & Q(career_start_year__lte=2100),
                name="profile_career_start_year_plausible",
                violation_error_message=_("The year your career started must lie between 1940 and 2100."),
            ),
            # Verification is dated, so coordinators can see when it happened.
            models.CheckConstraint(
                condition=~Q(verification_status=VerificationStatus.VERIFIED) | Q(verified_at__isnull=False),
                name="profile_verified_has_timestamp",
                violation_error_message=_("A verified profile needs the date of its verification."),
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.membership_number})"

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def is_rejected(self) -> bool:
        return self.verification_status == VerificationStatus.REJECTED


class MemberListImport(models.Model):
    """One upload of the NOB member list; the newest one is the list verification checks against."""

    uploaded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("members in the list"), default=0)
    verified_count = models.PositiveIntegerField(_("profiles verified by this import"), default=0)
    flagged_count = models.PositiveIntegerField(_("profiles flagged for review"), default=0)

    class Meta:
        verbose_name = _("member list import")
        verbose_name_plural = _("member list imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.file_name or _('member list')} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class MemberListEntry(models.Model):
    """A row of the newest NOB member list. Replaced as a whole by each import."""

    membership_number = models.CharField(
        _("NOB membership number"), max_length=8, unique=True, validators=[membership_number_validator]
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    membership_type = models.CharField(_("membership type"), max_length=10, choices=MembershipType.choices)
    member_list_import = models.ForeignKey(
        MemberListImport, on_delete=models.CASCADE, related_name="entries", verbose_name=_("import")
    )

    class Meta:
        verbose_name = _("member list entry")
        verbose_name_plural = _("member list entries")
        ordering = ["membership_number"]

    def __str__(self):
        return f"{self.membership_number} ({self.get_membership_type_display()})"


class RetentionNotice(models.Model):
    """A warning, sent once through the outbox, that retention will erase something of hers on a date.

    Retention erases only after such a warning is at least RETENTION_WARNING_DAYS old, so a member
    always has the time to log in (her account stays) or download her data (her notes).
    """

    class Topic(models.TextChoices):
        ACCOUNT = "account", _("account of a member who no longer takes part")
        NOTES = "notes", _("private notes of a pair that ended")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="retention_notices", verbose_name=_("member"))
    topic = models.CharField(_("what is erased"), max_length=10, choices=Topic.choices)
    # The pair whose notes expire; 0 for her account.
    about_id = models.PositiveBigIntegerField(_("about (id)"), default=0)
    erase_on = models.DateField(_("erased from"))
    created_at = models.DateTimeField(_("warned at"), default=timezone.now)

    class Meta:
        verbose_name = _("retention notice")
        verbose_name_plural = _("retention notices")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "topic", "about_id", "erase_on"], name="retention_notice_once")
        ]

    def __str__(self):
        return f"{self.get_topic_display()} ({self.erase_on:%Y-%m-%d})"
