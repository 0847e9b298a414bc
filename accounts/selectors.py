"""Reads for members."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from .eligibility import Decision, can_apply, can_be_mentor
from .models import Profile


def profile_for_user(user) -> Profile | None:
    """The member's own profile, or None while she has not completed it."""
    if not user.is_authenticated:
        return None
    return Profile.objects.filter(user=user).prefetch_related("expertise").first()


def has_profile(user) -> bool:
    return user.is_authenticated and Profile.objects.filter(user=user).exists()


def profile_for_viewer(viewer, pk) -> tuple[Profile, bool]:
    """The one access check for a member's profile page: herself or her partner, everyone else 404.

    There is no member directory: coordinators see profiles in the admin, other
    members never. Returns the profile and whether the viewer is her partner.
    """
    if not viewer.is_authenticated:
        raise Http404
    try:
        profile = Profile.objects.select_related("user").prefetch_related("expertise").get(pk=pk)
    except (Profile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if profile.user_id == viewer.pk:
        return profile, False
    if is_partner(viewer, profile.user):
        return profile, True
    raise Http404


def is_partner(viewer, other) -> bool:
    """Whether these two are mentor and mentee of a pair the viewer can see (R8: contact details)."""
    from matching.selectors import matches_for_user

    if not viewer.is_authenticated or viewer.pk == other.pk:
        return False
    return matches_for_user(viewer).filter(Q(mentor=other) | Q(mentee=other)).exists()


@dataclass(frozen=True)
class MemberStatus:
    """What the member's own pages show: her profile, whether she may take part, and as what."""

    profile: Profile | None
    may_apply: Decision
    mentor: Decision | None

    @property
    def roles(self) -> list[str]:
        from django.utils.translation import gettext as _

        if self.profile is None:
            return []
        roles = []
        if self.profile.wants_mentee:
            roles.append(_("mentee"))
        if self.profile.wants_mentor:
            roles.append(_("mentor"))
        return roles


def member_status(user) -> MemberStatus:
    profile = profile_for_user(user)
    return MemberStatus(
        profile=profile,
        may_apply=can_apply(user),
        mentor=can_be_mentor(profile) if profile is not None else None,
    )


def verification_counts() -> dict[str, int]:
    """How many members wait for a coordinator: for the coordinators' dashboard panel."""
    from .models import VerificationStatus

    return {
        "pending": Profile.objects.filter(verification_status=VerificationStatus.PENDING).count(),
        "needs_review": Profile.objects.filter(needs_review=True).count(),
    }
