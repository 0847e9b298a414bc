"""Reactions to other apps' events; the work itself is in services."""

from django.db import transaction


def on_match_activated(sender, match_id, **kwargs):
    """A renewed term takes over the meetings already planned in its time (R5)."""
    from matching.models import Match

    from .services import meetings_carry_to_new_term

    with transaction.atomic():
        new_term = Match.objects.filter(Match.renewed_term(), pk=match_id).first()
        if new_term is not None:
            meetings_carry_to_new_term(new_term=new_term)


def on_pair_has_begun(sender, match, **kwargs) -> bool:
    """Issue 28 §4: a planned or logged meeting means the pair has begun (the undo within the hour is refused)."""
    from .models import Meeting

    return Meeting.objects.filter(match=match).exists()
