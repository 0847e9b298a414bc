"""Listeners for other apps' signals: they only queue a task with ids."""

from django.db import transaction


def on_match_activated(sender, match_id, **kwargs):
    from .tasks import notify_match_activated

    # matching sends this from on_commit already; on_commit again keeps us safe if a
    # future sender forgets, since no task may run for a match that was rolled back.
    transaction.on_commit(lambda: notify_match_activated.delay(match_id))
