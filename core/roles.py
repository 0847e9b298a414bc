"""Who is a coordinator: the one definition every app, page, mail and job asks (issue 23).

A coordinator is an active staff account in the group "Coördinatoren" (`make_coordinator` makes
one). A superuser, made only with `createsuperuser` for operations, counts as one too: Django gives
her every right anyway. Nobody else is a coordinator: not staff outside the group, not a member.

Whether she may *open* a coordinator page now is one step further: her session must also have
passed a second factor (`core.mfa.coordinator_gate`).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

COORDINATOR_GROUP = "Coördinatoren"


def coordinator_q(prefix: str = "") -> Q:
    """The definition as a filter on users (or on a relation to one: `prefix="user__"`)."""
    return Q(**{f"{prefix}is_active": True, f"{prefix}is_staff": True}) & (
        Q(**{f"{prefix}is_superuser": True}) | Q(**{f"{prefix}groups__name": COORDINATOR_GROUP})
    )


def is_coordinator(user) -> bool:
    """True for an active staff account in the coordinators' group, or a superuser."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    # Asked by the header, the admin and the cockpit in one request: remember it on the instance.
    cached = getattr(user, "_is_coordinator_cache", None)
    if cached is None:
        cached = user.groups.filter(name=COORDINATOR_GROUP).exists()
        user._is_coordinator_cache = cached
    return cached


def coordinators():
    """Every coordinator, for mail and digests."""
    return get_user_model().objects.filter(coordinator_q()).distinct()
