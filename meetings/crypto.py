"""Encryption at rest for private meeting notes (R11).

Keys come from settings.MEETING_NOTES_KEYS (environment variable of the same name,
comma-separated Fernet keys, newest first). MultiFernet encrypts with the first key
and decrypts with any of them, so a key can be rotated without downtime:

1. generate a key: ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``;
2. put it in front: ``MEETING_NOTES_KEYS=<new>,<old>`` and restart;
3. run ``python manage.py rotate_meeting_notes_keys`` to re-encrypt every note with the new key;
4. remove the old key from the list and restart.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "development_key", "encrypt", "fernet", "rotate"]


def development_key(secret_key: str) -> str:
    """A stable Fernet key derived from SECRET_KEY, for development and tests only."""
    digest = hashlib.sha256(f"meeting-notes:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def fernet() -> MultiFernet:
    keys = [key for key in settings.MEETING_NOTES_KEYS if key]
    if not keys and not settings.PRODUCTION:
        keys = [development_key(settings.SECRET_KEY)]
    if not keys:
        raise ImproperlyConfigured("MEETING_NOTES_KEYS is empty: private meeting notes need at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"MEETING_NOTES_KEYS holds an invalid Fernet key: {error}") from None


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """Raises InvalidToken when no configured key opens the note."""
    return fernet().decrypt(token.encode("ascii")).decode()


def rotate(token: str) -> str:
    """The same note, re-encrypted with the newest key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")
