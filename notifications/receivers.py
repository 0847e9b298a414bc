"""Listeners for other apps' signals: they queue a task with ids, or record outbox rows in the sender's transaction."""

from django.db import transaction


def on_match_activated(sender, match_id, **kwargs):
    from .tasks import notify_match_activated

    # matching sends this from on_commit already; on_commit again keeps us safe if a
    # future sender forgets, since no task may run for a match that was rolled back.
    transaction.on_commit(lambda: notify_match_activated.delay(match_id))


def on_meeting_changed(sender, meeting, by, change, **kwargs):
    from .services import notify_meeting_changed

    notify_meeting_changed(meeting=meeting, by=by, change=change)


def on_match_ended(sender, match, **kwargs):
    from .services import notify_match_ended

    notify_match_ended(match=match)


def on_fit_check_asked(sender, fit_checks, **kwargs):
    from .services import notify_fit_check_asked

    notify_fit_check_asked(fit_checks=fit_checks)


def on_fit_check_concern(sender, fit_check, **kwargs):
    from .services import notify_fit_check_concern

    notify_fit_check_concern(fit_check=fit_check)


def on_matching_closed(sender, cycle, applications, **kwargs):
    from .services import notify_not_matched

    notify_not_matched(applications=applications)


def on_partner_left(sender, match_id, partner_id, **kwargs):
    """R6: the remaining partner is told the pair ended, in the erasure's own transaction."""
    from .services import notify_partner_left

    notify_partner_left(match_id=match_id, partner_id=partner_id)


def on_retention_notice_created(sender, notice_id, **kwargs):
    from .services import notify_retention_notice

    notify_retention_notice(notice_id=notice_id)
