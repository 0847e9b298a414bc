"""Reads for members."""

from .models import Profile


def profile_for_user(user) -> Profile | None:
    """The member's own profile, or None while she has not completed it."""
    if not user.is_authenticated:
        return None
    return Profile.objects.filter(user=user).prefetch_related("expertise").first()
