"""Signals accounts sends, so it needs no knowledge of e-mail (notifications listens)."""

from django.dispatch import Signal

# Sent with notice_id when retention warns a member (accounts.retention). Sent inside the
# transaction that records the notice, so the outbox row is written with it or not at all.
retention_notice_created = Signal()
