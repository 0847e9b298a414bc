"""Signals other apps listen to, so accounts needs no knowledge of e-mail (notifications listens).

Sent from services inside the transaction that makes the change, so a listener's
side effects (an outbox row) commit or roll back with it.
"""

from django.dispatch import Signal

# Sent with profile and status (VerificationStatus.VERIFIED / REJECTED) when a membership was decided (R2).
membership_decided = Signal()

# Sent with notice_id when retention warns a member (accounts.retention). Sent inside the
# transaction that records the notice, so the outbox row is written with it or not at all.
retention_notice_created = Signal()
