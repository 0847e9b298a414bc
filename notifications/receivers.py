"""Listeners for other apps' signals: they only queue a task with ids."""

from django.db import transaction


def on_match_activated(sender, match_id, **kwargs):
    from .tasks import notify_match_activated

    # matching sends this from on_commit already; on_commit again keeps us safe if a
    # future sender forgets, since no task may run for a match that was rolled back.
    transaction.on_commit(lambda: notify_match_activated.delay(match_id))


def on_partner_left(sender, match_id, partner_id, **kwargs):
    """R6: the remaining partner is told the pair ended, in the erasure's own transaction."""
    from .services import notify_partner_left

    notify_partner_left(match_id=match_id, partner_id=partner_id)


def on_retention_notice_created(sender, notice_id, **kwargs):
    from .services import notify_retention_notice

    notify_retention_notice(notice_id=notice_id)
