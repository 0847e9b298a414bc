"""Reads for cycles, applications and matches."""

from django.db.models import Q
from django.http import Http404

from .models import Match

# A proposal is not yet the pair's business: they see it once it is active (R8).
VISIBLE_TO_PAIR = (Match.Status.ACTIVE, Match.Status.COMPLETED, Match.Status.ENDED_EARLY)


def matches_for_user(user):
    """The pairs this member belongs to, newest first; empty for anonymous users."""
    if not user.is_authenticated:
        return Match.objects.none()
    return (
        Match.objects.filter(Q(mentor=user) | Q(mentee=user), status__in=VISIBLE_TO_PAIR)
        .select_related("mentor", "mentee", "cycle")
        .order_by("-start_date", "-created_at")
    )


def pair_for_user(user, pk) -> Match:
    """The one access check for a pair: only its mentor and mentee, everyone else 404.

    Coordinators are no exception: they see pairs in the admin, without the
    pair's own content (R11).
    """
    try:
        return matches_for_user(user).get(pk=pk)
    except (Match.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
