"""Reads for members."""

from dataclasses import dataclass

from .eligibility import Decision, can_apply, can_be_mentor
from .models import MemberListEntry, Profile, VerificationStatus


def profile_for_user(*, user) -> Profile | None:
    """The member's own profile, or None while she has not completed it."""
    if not user.is_authenticated:
        return None
    return Profile.objects.filter(user=user).prefetch_related("expertise").first()


def has_profile(*, user) -> bool:
    return user.is_authenticated and Profile.objects.filter(user=user).exists()


class NextStep:
    """What her own pages suggest she does next; the dashboard and her profile page say it the same way."""

    COMPLETE_PROFILE = "complete_profile"
    FIX_DETAILS = "fix_details"  # rejected: correct the membership number or type, or ask
    AWAIT_VERIFICATION = "await_verification"
    APPLY = "apply"  # verified, a cycle is open and she has not applied to it
    TAKING_PART = "taking_part"  # an application or a pair: the matching panel tells the rest
    AWAIT_CYCLE = "await_cycle"  # verified, nothing open yet


@dataclass(frozen=True)
class MemberStatus:
    """What the member's own pages show: her profile, whether she may take part (and as mentor), what next."""

    profile: Profile | None
    may_apply: Decision
    mentor: Decision | None
    next_step: str


def _next_step(user, profile: Profile | None, may_apply: Decision) -> str:
    from matching.models import Application, Cycle, Match
    from matching.selectors import matches_for_user, open_cycles

    if profile is None:
        return NextStep.COMPLETE_PROFILE
    if profile.verification_status == VerificationStatus.REJECTED:
        return NextStep.FIX_DETAILS
    if not may_apply:
        return NextStep.AWAIT_VERIFICATION
    taking_part = (
        matches_for_user(user=user).filter(status__in=Match.ONGOING_STATUSES).exists()
        or Application.objects.filter(member=user, status=Application.Status.SUBMITTED)
        .exclude(cycle__status=Cycle.Status.CLOSED)
        .exists()
    )
    if taking_part:
        return NextStep.TAKING_PART
    if open_cycles().exists():
        return NextStep.APPLY
    return NextStep.AWAIT_CYCLE


def member_status(*, user) -> MemberStatus:
    profile = profile_for_user(user=user)
    may_apply = can_apply(user)
    return MemberStatus(
        profile=profile,
        may_apply=may_apply,
        mentor=can_be_mentor(profile) if profile is not None else None,
        next_step=_next_step(user, profile, may_apply),
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
