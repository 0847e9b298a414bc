"""Listeners for other apps' signals, sent inside the transaction that makes the change:
each records its e-mails in that same transaction (the outbox), nothing else."""

from . import services


def on_match_activated(sender, match_id, **kwargs):
    services.match_activation_record(match_id=match_id)


def on_mentor_asked(sender, match_id, **kwargs):
    services.mentor_asked_record(match_id=match_id)


def on_membership_decided(sender, profile, status, **kwargs):
    services.verification_decision_record(profile=profile, status=status)


def on_invitations_created(sender, round_id, **kwargs):
    services.invitations_record(round_id=round_id)


def on_meeting_changed(sender, meeting, by, change, **kwargs):
    services.meeting_change_record(meeting=meeting, by=by, change=change)


def on_match_undone(sender, match, **kwargs):
    """Issue 28 §4: unsent mails about the pair are cancelled, or both get a correction. True when told."""
    return services.match_undone_record(match=match)


def on_match_ended(sender, match, **kwargs):
    services.match_ended_record(match=match)


def on_fit_check_asked(sender, fit_checks, **kwargs):
    services.fit_check_asked_record(fit_checks=fit_checks)


def on_fit_check_concern(sender, fit_check, **kwargs):
    services.fit_check_concern_record(fit_check=fit_check)


def on_matching_closed(sender, cycle, applications, **kwargs):
    services.not_matched_record(applications=applications)


def on_partner_left(sender, match_id, partner_id, **kwargs):
    """R6: the remaining partner is told the pair ended, in the erasure's own transaction."""
    services.partner_left_record(match_id=match_id, partner_id=partner_id)


def on_retention_notice_created(sender, notice_id, **kwargs):
    services.retention_notice_record(notice_id=notice_id)


def on_pair_dates_changed(sender, matches, **kwargs):
    """Issue 25 §9: the cycle's dates moved, and with them these pairs': both partners are told."""
    services.pair_dates_changed_record(matches=matches)
