"""Writes for members: every change to a user or profile goes through here.

R2 (who may take part) and R3 (mentor only with more than five years' experience)
are enforced here, whatever form or admin screen calls in.
"""

import datetime
import json
import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import fernet_keys
from core.admin import history_record

from .eligibility import mentor_decision
from .member_list import TYPE_CHOICES, membership_number_key, parse_member_list, plan_member_list, review_reason
from .models import MemberListEntry, MemberListImport, Profile, User, VerificationStatus
from .signals import membership_decided

# Issue 21 §2: a membership number is a claim on someone's member-list line; trying numbers is
# limited per account and every change is in the profile's history for the coordinators.
MEMBERSHIP_NUMBER_CHANGES_PER_DAY = 5

# What a member fills in herself, in groups (her form, and the admin, which never shows contact
# details); verification fields are the coordinators' business.
PROFILE_MEMBERSHIP_FIELDS = ("membership_number", "membership_type", "confirms_female_member")
PROFILE_WORK_FIELDS = (
    "organisation",
    "job_title",
    "career_start_year",
    "region",
    "meeting_preference",
    "languages",
    "introduction",
)
PROFILE_CONTACT_FIELDS = ("phone", "linkedin_url")  # only her partner sees them (R8)
PROFILE_ROLE_FIELDS = ("wants_mentee", "wants_mentor")
PROFILE_FIELDS = (*PROFILE_MEMBERSHIP_FIELDS, *PROFILE_WORK_FIELDS, *PROFILE_CONTACT_FIELDS, *PROFILE_ROLE_FIELDS)
# Someone who started working more than this many years ago has very likely mistyped.
LONGEST_PLAUSIBLE_CAREER = 60
MAX_MEMBER_LIST_BYTES = 10 * 1024 * 1024


def user_set_language(*, user: User, language: str) -> None:
    """Remember the member's language so e-mails sent later are in it."""
    if language not in {code for code, _name in settings.LANGUAGES} or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])


def coordinator_appoint(*, email: str) -> User:
    """Make an existing account a coordinator: staff and in the group, never superuser."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from .models import COORDINATOR_GROUP
    from .permissions import grant_all_coordinator_permissions

    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationError(
            {"email": _("There is no account with this e-mail address. She first registers on the site herself.")}
        )
    with transaction.atomic():
        # Idempotent; makes sure the group and its permissions exist even on a database set up by hand.
        grant_all_coordinator_permissions(apps)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=COORDINATOR_GROUP))
    return user


def coordinator_dismiss(*, email: str) -> User:
    """Take the coordinator role away again; the account itself stays."""
    from django.contrib.auth.models import Group

    from .models import COORDINATOR_GROUP

    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationError({"email": _("There is no account with this e-mail address.")})
    with transaction.atomic():
        user.groups.remove(*Group.objects.filter(name=COORDINATOR_GROUP))
        if not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    return user


# --- Profile -----------------------------------------------------------------------


def career_start_year_problems(year: int) -> list[str]:
    """Neither in the future nor implausibly early: experience (R3) is derived from it."""
    this_year = timezone.localdate().year
    if year > this_year:
        return [
            _("This year lies in the future. Fill in the year you started working (%(year)s at the latest).")
            % {"year": this_year}
        ]
    if year < this_year - LONGEST_PLAUSIBLE_CAREER:
        return [
            _("%(year)s seems too early. Fill in a year from %(earliest)s onwards.")
            % {"year": year, "earliest": this_year - LONGEST_PLAUSIBLE_CAREER}
        ]
    return []


def phone_number_normalised(value: str) -> str | None:
    """A Dutch or international number in the form her partner can dial from anywhere, or None.

    Without a country code a number is read as Dutch: 06-12345678 becomes +31 6 12345678.
    """
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _membership_number_taken_message() -> str:
    return _(
        "This membership number is already used by another account. If it is yours, send an e-mail to %(email)s."
    ) % {"email": settings.PROGRAMME_CONTACT_EMAIL}


def _profile_errors(profile: Profile, *, full_name: str) -> dict[str, list[str]]:
    """The rules a model field cannot express; each message belongs to one field."""
    errors: dict[str, list[str]] = {}
    if not full_name.strip():
        errors.setdefault("full_name", []).append(_("Fill in your full name."))
    if not profile.confirms_female_member:
        # R2: the programme is for female (aspiring) NOB members.
        errors.setdefault("confirms_female_member", []).append(
            _("The programme is open to female NOB members and aspiring members; please confirm this.")
        )
    year = profile.career_start_year
    if year is not None:
        for message in career_start_year_problems(year):
            errors.setdefault("career_start_year", []).append(message)
    if not (profile.wants_mentee or profile.wants_mentor):
        errors.setdefault("wants_mentee", []).append(_("Choose at least one role: mentee, mentor or both."))
    if profile.wants_mentor and "career_start_year" not in errors:
        decision = mentor_decision(year)  # R3: more than five years, exactly five is not enough
        if not decision:
            errors.setdefault("wants_mentor", []).append(decision.reason)
    if profile.membership_number:
        taken = Profile.objects.filter(membership_number=profile.membership_number).exclude(pk=profile.pk)
        if taken.exists():
            errors.setdefault("membership_number", []).append(_membership_number_taken_message())
    if profile.phone:
        phone = phone_number_normalised(profile.phone)
        if phone is None:
            errors.setdefault("phone", []).append(
                _("Fill in a Dutch phone number such as 06 12345678, or an international one starting with +.")
            )
        else:
            profile.phone = phone
    if profile.linkedin_url:
        host = (urlsplit(profile.linkedin_url).hostname or "").lower()
        if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
            errors.setdefault("linkedin_url", []).append(
                _("Fill in the address of your LinkedIn profile, e.g. https://www.linkedin.com/in/your-name.")
            )
    return errors


# What a verification decision (R2) changes on a profile.
VERIFICATION_FIELDS = ["verification_status", "verified_at", "verified_by", "verification_note", "needs_review"]


def _mark_verified(profile: Profile, *, by: User | None) -> None:
    """R2's one way to "verified": by a coordinator (`by`) or by the member list (None); sets, never saves."""
    profile.verification_status = VerificationStatus.VERIFIED
    profile.verified_at = timezone.now()
    profile.verified_by = by
    profile.verification_note = ""
    profile.needs_review = False


def _verify_from_member_list(profile: Profile) -> bool:
    """Verify a waiting profile whose number, e-mail and type are on the newest member list (R2, 13 §3).

    Her number on the list with another e-mail address puts her in the coordinators' review
    queue instead; she herself only sees "awaiting verification".
    """
    if profile.verification_status != VerificationStatus.PENDING:
        return False
    entry = MemberListEntry.objects.filter(membership_number=membership_number_key(profile.membership_number)).first()
    if entry is None:
        return False
    if review_reason(profile=profile, entry=entry):
        profile.needs_review = True
        return False
    _mark_verified(profile, by=None)
    return True


@transaction.atomic
def profile_save(*, user: User, full_name: str, expertise=(), **fields) -> Profile:
    """Create or update the member's own programme profile.

    Changing the membership number or type sends a verified (or rejected) profile
    back to "awaiting verification": the old check was about another number.
    """
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    profile = Profile.objects.select_for_update().filter(user=user).first() or Profile(user=user)
    previous = (profile.membership_number, profile.membership_type) if profile.pk else None
    for name, value in fields.items():
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    # "100 101" as printed on a card is the same number.
    profile.membership_number = re.sub(r"\s", "", profile.membership_number or "")

    errors = _profile_errors(profile, full_name=full_name)
    previous_number = previous[0] if previous is not None else ""
    number_changed = bool(profile.membership_number) and profile.membership_number != previous_number
    if number_changed and _membership_number_changes_today(user) >= MEMBERSHIP_NUMBER_CHANGES_PER_DAY:
        errors.setdefault("membership_number", []).append(
            _(
                "You have already changed your membership number %(count)d times today. Try again tomorrow, or "
                "send an e-mail to %(email)s."
            )
            % {"count": MEMBERSHIP_NUMBER_CHANGES_PER_DAY, "email": settings.PROGRAMME_CONTACT_EMAIL}
        )
    try:
        profile.full_clean(exclude=["user", *errors])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    if previous is not None and previous != (profile.membership_number, profile.membership_type):
        profile.verification_status = VerificationStatus.PENDING
        profile.verified_at = None
        profile.verified_by = None
        profile.verification_note = ""
    _verify_from_member_list(profile)

    user.full_name = full_name.strip()
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["full_name"])
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        # Two accounts saving the same number at the same moment: the unique constraint decides.
        raise ValidationError({"membership_number": _membership_number_taken_message()}) from None
    profile.expertise.set(expertise)
    if number_changed:
        _log_membership_number_change(user=user, profile=profile, old=previous_number)
    return profile


def _membership_number_changes_today(user: User) -> int:
    return LogEntry.objects.filter(
        user=user,
        content_type=ContentType.objects.get_for_model(Profile),
        action_time__gte=timezone.now() - datetime.timedelta(days=1),
        change_message__startswith=MEMBERSHIP_NUMBER_LOG_MARKER,
    ).count()


# The history line starts with this, in the programme's language, whatever hers is.
MEMBERSHIP_NUMBER_LOG_MARKER = "#lidnummer "


def _log_membership_number_change(*, user: User, profile: Profile, old: str) -> None:
    """The admin's history of her profile shows every change of number (coordinators only)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("membership number changed by the member: %(old)s → %(new)s") % {
            "old": old or "–",
            "new": profile.membership_number,
        }
    history_record(user=user, obj=profile, action_flag=CHANGE, message=f"{MEMBERSHIP_NUMBER_LOG_MARKER}{text}")


# --- Verification by coordinators ----------------------------------------------------


def _tell_member_the_decision(profile: Profile) -> None:
    # In the deciding transaction: notifications records the e-mail with the decision.
    membership_decided.send(sender=Profile, profile=profile, status=profile.verification_status)


def profile_verify(*, profile: Profile, by: User) -> Profile:
    """A coordinator has checked the membership herself (R2); the member gets an e-mail.

    An already verified member keeps her verification date and gets no second e-mail.
    """
    if profile.verification_status == VerificationStatus.VERIFIED:
        return profile
    _mark_verified(profile, by=by)
    return _save_decision(profile)


def profiles_verify(*, profiles, by: User) -> list[Profile]:
    """The admin's bulk action: verify each of these; returns those that were not verified yet."""
    newly = [profile for profile in profiles if profile.verification_status != VerificationStatus.VERIFIED]
    for profile in newly:
        profile_verify(profile=profile, by=by)
    return newly


def profile_reject(*, profile: Profile, by: User, reason: str) -> Profile:
    """Refuse the membership check; the member reads the reason by e-mail and on her profile page."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"verification_note": _("Give a reason: the member reads it and can then fix her details.")}
        )
    profile.verification_status = VerificationStatus.REJECTED
    profile.verified_at = None
    profile.verified_by = by
    profile.verification_note = reason
    profile.needs_review = False
    return _save_decision(profile)


def _save_decision(profile: Profile) -> Profile:
    """A coordinator's decision settles the review too; the member hears of it by e-mail."""
    profile.full_clean(exclude=["user", "expertise"])
    with transaction.atomic():  # the decision and its e-mail, together
        profile.save(update_fields=[*VERIFICATION_FIELDS, "updated_at"])
        _tell_member_the_decision(profile)
    return profile


def profile_mark_reviewed(*, profile: Profile) -> Profile:
    """A coordinator looked at a member missing from the newest list and keeps her as she is."""
    profile.needs_review = False
    profile.save(update_fields=["needs_review", "updated_at"])
    return profile


# --- Member list import ---------------------------------------------------------------


@dataclass
class MemberListImportReport:
    """What an import would do (preview) or did, or why it does nothing."""

    errors: list[str] = field(default_factory=list)
    row_count: int = 0
    lines_read: int = 0
    skipped: int = 0
    sheet_name: str = ""
    header_line: int = 0
    verified: list[Profile] = field(default_factory=list)
    flagged: list[Profile] = field(default_factory=list)
    flag_reasons: dict[int, str] = field(default_factory=dict)
    not_verified: list[tuple[Profile, str]] = field(default_factory=list)
    type_mismatches: list[Profile] = field(default_factory=list)
    unknown_types: dict = field(default_factory=dict)
    decided_types: dict = field(default_factory=dict)
    member_list_import: MemberListImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unknown_types

    @property
    def flagged_with_reasons(self) -> list[tuple[Profile, str]]:
        return [(profile, self.flag_reasons.get(profile.pk, "")) for profile in self.flagged]


def _read_member_list(file, type_choices) -> tuple[str, MemberListImportReport | None, object]:
    file_name = getattr(file, "name", "") or ""
    if getattr(file, "size", 0) and file.size > MAX_MEMBER_LIST_BYTES:
        return file_name, MemberListImportReport(errors=[_("The file is larger than 10 MB.")]), None
    if hasattr(file, "seek"):
        file.seek(0)
    parsed = parse_member_list(data=file.read(), file_name=file_name, type_choices=type_choices)
    report = MemberListImportReport(
        errors=list(parsed.errors),
        row_count=len(parsed.rows),
        lines_read=parsed.lines_read,
        skipped=parsed.skipped,
        sheet_name=parsed.sheet_name,
        header_line=parsed.header_line,
        unknown_types=parsed.unknown_types,
        decided_types=parsed.decided_types,
    )
    if not parsed.errors and not parsed.rows and not parsed.unknown_types:
        report.errors.append(_("The file contains no members."))
    return file_name, report, parsed


def _plan(parsed, report: MemberListImportReport):
    previously_listed = {
        membership_number_key(number) for number in MemberListEntry.objects.values_list("membership_number", flat=True)
    }
    plan = plan_member_list(
        parsed.rows,
        previously_listed=previously_listed,
        profiles=Profile.objects.select_related("user").order_by("user__full_name", "pk"),
    )
    report.verified = list(plan.verify)
    report.flagged = [profile for profile, _reason in plan.flag]
    report.flag_reasons = {profile.pk: reason for profile, reason in plan.flag}
    report.not_verified = list(plan.not_verified)
    report.type_mismatches = list(plan.type_mismatches)
    return plan


def member_list_preview(*, file, type_choices: dict[str, str] | None = None) -> MemberListImportReport:
    """What importing this file would do, without changing anything: the coordinator confirms first."""
    _file_name, report, parsed = _read_member_list(file, type_choices)
    if report.errors:
        return report
    _plan(parsed, report)
    return report


def member_list_import(
    *, file, uploaded_by: User | None, type_choices: dict[str, str] | None = None
) -> MemberListImportReport:
    """Replace the member list with this file and verify the profiles on it, all or nothing.

    A file with any bad row, or with a membership type nobody decided on, changes nothing:
    the report names every bad line. Only number AND e-mail together verify (13 §3); a
    number on the list with another e-mail is flagged for review. Profiles that were on the
    previous list but are missing from this one are flagged too, never deleted or
    un-verified: a coordinator decides. Importing the same file again changes nothing.
    """
    file_name, report, parsed = _read_member_list(file, type_choices)
    if not report.ok:
        if report.unknown_types and not report.errors:
            report.errors = [
                _("Choose what the membership type “%(type)s” counts as (lines %(lines)s).")
                % {"type": unknown.label, "lines": ", ".join(str(line) for line in unknown.lines[:10])}
                for unknown in report.unknown_types.values()
            ]
        return report

    with transaction.atomic():
        plan = _plan(parsed, report)
        record = MemberListImport.objects.create(
            uploaded_by=uploaded_by, file_name=file_name[:255], row_count=len(parsed.rows)
        )
        MemberListEntry.objects.all().delete()
        MemberListEntry.objects.bulk_create(
            MemberListEntry(
                membership_number=row.membership_number,
                email=row.email,
                membership_type=row.membership_type,
                member_list_import=record,
            )
            for row in parsed.rows
        )
        for profile in plan.verify:
            _mark_verified(profile, by=None)
            profile.save(update_fields=[*VERIFICATION_FIELDS, "updated_at"])
            _tell_member_the_decision(profile)
        for profile in plan.unflag:
            # Back on the list: the reason for the review is gone.
            profile.needs_review = False
            profile.save(update_fields=["needs_review", "updated_at"])
        for profile, _reason in plan.flag:
            profile.needs_review = True
            profile.save(update_fields=["needs_review", "updated_at"])

        record.verified_count = len(report.verified)
        record.flagged_count = len(report.flagged)
        record.save(update_fields=["verified_count", "flagged_count"])
        report.member_list_import = record
    return report


# --- The import page's steps: upload, preview, decide on unknown types, confirm -------------------

# How long an uploaded file waits between preview and confirmation (for that coordinator only).
MEMBER_LIST_PREVIEW_SECONDS = 30 * 60


class MemberListStage(StrEnum):
    UPLOAD = "upload"  # no (valid) file yet
    PREVIEW = "preview"  # what the import would do; the file waits under `token`
    EXPIRED = "expired"  # the waiting file is gone: upload it again
    IMPORTED = "imported"  # confirmed and written


@dataclass
class MemberListStep:
    """Where the coordinator is on the import page, and what it shows."""

    stage: str
    report: MemberListImportReport | None = None
    token: str = ""


def _preview_key(user, token: str) -> str:
    return f"member-list-preview:{user.pk}:{token}"


def _preview_fernet() -> Fernet:
    # The whole member list (every member's number and e-mail) waits in the cache, which may be the
    # Celery broker's Redis too: only ever encrypted there, with a key derived from SECRET_KEY for
    # this purpose alone (a preview lives 30 minutes: nothing to rotate), which Redis never sees.
    return Fernet(fernet_keys.development_key(settings.SECRET_KEY, "member-list-preview"))


def member_list_preview_keep(*, user, upload) -> str:
    """Keep the uploaded file, encrypted, for this coordinator until she confirms; returns its token."""
    token = secrets.token_urlsafe(16)
    upload.seek(0)
    payload = json.dumps({"name": upload.name}).encode() + b"\n" + upload.read()
    cache.set(_preview_key(user, token), _preview_fernet().encrypt(payload), MEMBER_LIST_PREVIEW_SECONDS)
    return token


def member_list_preview_file(*, user, token: str):
    """The file she previewed under this token, or None when it expired (or is someone else's)."""
    kept = cache.get(_preview_key(user, str(token)[:64]))
    if kept is None:
        return None
    try:
        head, data = _preview_fernet().decrypt(kept, ttl=MEMBER_LIST_PREVIEW_SECONDS).split(b"\n", 1)
    except (InvalidToken, TypeError, ValueError):
        return None  # an old plaintext entry, or expired: upload again
    return ContentFile(data, name=json.loads(head)["name"])


def member_list_preview_forget(*, user, token: str) -> None:
    cache.delete(_preview_key(user, token))


def member_list_type_choices(data) -> dict[str, str]:
    """The coordinator's decision per unknown membership type: fields named "type:<type>"."""
    return {
        name.removeprefix("type:"): value
        for name, value in data.items()
        if name.startswith("type:") and value in TYPE_CHOICES
    }


def member_list_upload(*, user, upload) -> MemberListStep:
    """A new file: what importing it would do. Without errors it waits for her decision under a token."""
    report = member_list_preview(file=upload)
    token = "" if report.errors else member_list_preview_keep(user=user, upload=upload)
    return MemberListStep(stage=MemberListStage.PREVIEW, report=report, token=token)


def member_list_decide(*, user, token: str, type_choices: dict[str, str], confirm: bool) -> MemberListStep:
    """The previewed file again: with her decisions on unknown types, previewed again or (confirm) imported.

    A confirmation that the import refuses (an undecided type, a bad row) stays on the preview, with
    the file kept; an imported file is forgotten.
    """
    upload = member_list_preview_file(user=user, token=token)
    if upload is None:
        return MemberListStep(stage=MemberListStage.EXPIRED)
    if not confirm:
        return MemberListStep(
            stage=MemberListStage.PREVIEW,
            report=member_list_preview(file=upload, type_choices=type_choices),
            token=token,
        )
    report = member_list_import(file=upload, uploaded_by=user, type_choices=type_choices)
    if not report.ok:
        return MemberListStep(stage=MemberListStage.PREVIEW, report=report, token=token)
    member_list_preview_forget(user=user, token=token)
    return MemberListStep(stage=MemberListStage.IMPORTED, report=report)
