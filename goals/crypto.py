"""Encryption at rest for the pair's goals and progress notes (R11), as for private meeting notes.

The same keys as the meeting notes (settings.MEETING_NOTES_KEYS, newest first): one key list for
the pair's private texts, so one rotation covers both (``manage.py rotate_meeting_notes_keys``
re-encrypts the notes and the goals; see meetings/crypto.py for the steps).
"""

from cryptography.fernet import InvalidToken

from core import fernet_keys

__all__ = ["InvalidToken", "decrypt", "encrypt", "fernet", "rotate"]


_cipher = fernet_keys.TextCipher("MEETING_NOTES_KEYS", purpose="pair-goals", needed_for="the pairs' goals")

fernet = _cipher.fernet
encrypt = _cipher.encrypt
# Raises InvalidToken when no configured key opens the text.
decrypt = _cipher.decrypt
rotate = _cipher.rotate
