"""Signals other apps listen to, so evaluations needs no knowledge of e-mail.

Sent from services inside the transaction that makes the change, so a listener's
side effects (an outbox row) commit or roll back with it.
"""

from django.dispatch import Signal

# Sent with round_id after invitations were created for a round (R14: each invitee gets an e-mail).
invitations_created = Signal()
