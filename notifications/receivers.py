"""Listeners for other apps' signals, sent inside the transaction that makes the change:
each records its e-mails in that same transaction (the outbox), nothing else."""

from . import services


def on_match_activated(sender, match_id, **kwargs):
    services.match_activation_record(match_id=match_id)


def on_membership_decided(sender, profile, status, **kwargs):
    services.verification_decision_record(profile=profile, status=status)


def on_invitations_created(sender, round_id, **kwargs):
    services.invitations_record(round_id=round_id)


def on_partner_left(sender, match_id, partner_id, **kwargs):
    """R6: the remaining partner is told the pair ended, in the erasure's own transaction."""
    services.partner_left_record(match_id=match_id, partner_id=partner_id)


def on_retention_notice_created(sender, notice_id, **kwargs):
    services.retention_notice_record(notice_id=notice_id)
