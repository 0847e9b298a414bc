"""Encryption at rest for private meeting notes (R11).

Keys come from settings.MEETING_NOTES_KEYS (environment variable of the same name,
comma-separated Fernet keys, newest first). MultiFernet encrypts with the first key
and decrypts with any of them, so a key can be rotated without downtime:

1. generate a key: ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``;
2. put it in front: ``MEETING_NOTES_KEYS=<new>,<old>`` and restart;
3. run ``python manage.py rotate_meeting_notes_keys`` to re-encrypt every note with the new key;
4. remove the old key from the list and restart.
"""

from cryptography.fernet import InvalidToken

from core import fernet_keys

__all__ = ["InvalidToken", "decrypt", "encrypt", "fernet", "rotate"]


_cipher = fernet_keys.TextCipher("MEETING_NOTES_KEYS", purpose="meeting-notes", needed_for="private meeting notes")

fernet = _cipher.fernet
encrypt = _cipher.encrypt
# Raises InvalidToken when no configured key opens the note.
decrypt = _cipher.decrypt
# The same note, re-encrypted with the newest key.
rotate = _cipher.rotate
