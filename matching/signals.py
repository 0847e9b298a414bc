"""Signals other apps listen to, so matching needs no knowledge of e-mail or evaluations.

Send them from services inside ``transaction.on_commit`` so listeners never see
data that was rolled back.
"""

from django.dispatch import Signal

# Sent with match_id once a match became active (R8: the mentee gets her mentor's details).
match_activated = Signal()

# Sent with match_id and partner_id when a pair ends because the other partner erased her
# account (R6). Sent inside the erasure's transaction, not on commit: the partner's message
# is an outbox row that must be written in that same transaction or not at all.
partner_left = Signal()
