"""Signals other apps listen to, so meetings needs no knowledge of e-mail.

Sent inside the change's transaction: a listener that records an outbox row commits or
rolls back together with the meeting (nothing lost, nothing sent for a change that failed).
"""

from django.dispatch import Signal

# Sent with meeting (the saved Meeting), by (the partner who made the change) and change:
# "planned", "changed" (moved or details changed) or "cancelled". The other partner is told (issue 15 §4).
meeting_changed = Signal()
