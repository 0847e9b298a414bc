"""Reads for members."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, prefetch_related_objects
from django.utils import timezone

from .eligibility import Decision, can_apply, can_be_mentor
from .models import MemberListEntry, Profile, VerificationStatus


def profile_for_user(*, user) -> Profile | None:
    """The member's own profile, or None while she has not completed it."""
    if not has_profile(user=user):
        return None
    profile = user.profile
    prefetch_related_objects([profile], "expertise")
    return profile


def has_profile(*, user) -> bool:
    """Whether she completed her profile; reads it once a request and keeps it on the user (user.profile)."""
    if not user.is_authenticated:
        return False
    try:
        return user.profile is not None
    except Profile.DoesNotExist:
        return False


class NextStep:
    """Her membership's next step; the dashboard and her profile page say it the same way.

    Once she may take part, the programme's own steps (apply, her applications, her pair, the
    next cycle) are matching's: its dashboard panel shows them. Accounts knows nothing of them.
    """

    COMPLETE_PROFILE = "complete_profile"
    FIX_DETAILS = "fix_details"  # rejected: correct the membership number or type, or ask
    AWAIT_VERIFICATION = "await_verification"
    TAKE_PART = "take_part"  # verified: the matching panel on her overview tells the rest


@dataclass(frozen=True)
class MemberStatus:
    """What the member's own pages show: her profile, whether she may take part (and as mentor), what next."""

    profile: Profile | None
    may_apply: Decision
    mentor: Decision | None
    next_step: str


def _next_step(profile: Profile | None, may_apply: Decision) -> str:
    if profile is None:
        return NextStep.COMPLETE_PROFILE
    if profile.verification_status == VerificationStatus.REJECTED:
        return NextStep.FIX_DETAILS
    if not may_apply:
        return NextStep.AWAIT_VERIFICATION
    return NextStep.TAKE_PART


def member_status(*, user) -> MemberStatus:
    # Her profile as the request already read it: the status needs no expertise (a page showing
    # it reads it with the profile's own query), so the dashboard spends no query on it.
    profile = user.profile if has_profile(user=user) else None
    may_apply = can_apply(user)
    return MemberStatus(
        profile=profile,
        may_apply=may_apply,
        mentor=can_be_mentor(profile) if profile is not None else None,
        next_step=_next_step(profile, may_apply),
    )


def verification_counts() -> dict[str, int]:
    """How many members wait for a coordinator: for the coordinators' dashboard panel."""
    return {
        "pending": Profile.objects.filter(verification_status=VerificationStatus.PENDING).count(),
        "needs_review": Profile.objects.filter(needs_review=True).count(),
    }


def member_list_entry_for(*, profile: Profile) -> MemberListEntry | None:
    """Her number on the newest NOB member list, if it is there: what a coordinator checks before deciding."""
    from .member_list import membership_number_key

    number = profile.membership_number or ""
    # Older lists kept the number as written; newer ones without leading zeros.
    candidates = {number, membership_number_key(number)}
    return MemberListEntry.objects.filter(membership_number__in=candidates).first()


def member_list_review_reason(*, profile: Profile) -> str:
    """Why the newest list does not vouch for her, for the coordinator only (never shown to the member)."""
    from .member_list import review_reason

    entry = member_list_entry_for(profile=profile)
    if entry is None:
        return review_reason(profile=profile, entry=None, previously_listed=profile.needs_review)
    return review_reason(profile=profile, entry=entry)


def member_list_type_rows(*, report, choices: dict[str, str]) -> list[dict]:
    """The membership types of a previewed member list the coordinator decides on, with her choice so far."""
    types = {**report.decided_types, **report.unknown_types}
    return [
        {
            "key": key,
            "label": unknown.label,
            "count": unknown.count,
            "lines": unknown.lines[:10],
            "choice": choices.get(key, ""),
        }
        for key, unknown in sorted(types.items())
    ]


def registrations_between(*, earlier: datetime.date | None, later: datetime.date) -> dict[str, int]:
    """Members registered (and verified) by the end of two days, split so that no one counts twice,
    for the coordinators' year report (issue 27): one query.

    verified_before / registered_before: by the end of `earlier` (verified and still verified);
    verified_between: registered by `earlier`, verified after it, by `later`;
    new_verified / new_unverified: registered after `earlier`, by `later`.
    Without `earlier` everything counts as new.
    """
    later_end = _end_of(later)
    earlier_end = _end_of(earlier) if earlier else None
    verified = Q(verification_status=VerificationStatus.VERIFIED, verified_at__lte=later_end)
    if earlier_end is None:
        before = Q(pk__in=[])
        verified_before = Q(pk__in=[])
    else:
        before = Q(created_at__lte=earlier_end)
        verified_before = before & Q(verification_status=VerificationStatus.VERIFIED, verified_at__lte=earlier_end)
    counts = Profile.objects.filter(created_at__lte=later_end).aggregate(
        registered=Count("pk"),
        registered_before=Count("pk", filter=before),
        verified=Count("pk", filter=verified),
        verified_before=Count("pk", filter=verified_before),
        verified_by_later_of_before=Count("pk", filter=before & verified),
    )
    return {
        "verified_before": counts["verified_before"],
        "unverified_before": counts["registered_before"] - counts["verified_by_later_of_before"],
        "verified_between": counts["verified_by_later_of_before"] - counts["verified_before"],
        "new_verified": counts["verified"] - counts["verified_by_later_of_before"],
        "new_unverified": (counts["registered"] - counts["registered_before"])
        - (counts["verified"] - counts["verified_by_later_of_before"]),
    }


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
