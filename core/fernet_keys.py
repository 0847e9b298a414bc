"""Fernet key lists from settings, for every app that encrypts at rest (meeting notes, sealed evaluations).

Each setting is a list of Fernet keys, newest first: MultiFernet encrypts with the first and
decrypts with any, so keys rotate without downtime. Production requires the setting (settings.py
reads it without a default); elsewhere an empty list falls back to a key derived from SECRET_KEY
and the purpose, so development needs nothing and the purposes never share a key.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def development_key(secret_key: str, purpose: str) -> str:
    """A stable Fernet key derived from SECRET_KEY, for development and tests only."""
    digest = hashlib.sha256(f"{purpose}:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def keys(setting: str, *, purpose: str, needed_for: str) -> list[str]:
    """The keys of settings.<setting>, newest first (the development key when empty outside production)."""
    configured = [key for key in getattr(settings, setting) if key]
    if not configured and not settings.PRODUCTION:
        configured = [development_key(settings.SECRET_KEY, purpose)]
    if not configured:
        raise ImproperlyConfigured(f"{setting} is empty: {needed_for} need at least one Fernet key.")
    return configured


def fingerprint(key: str) -> str:
    """A short name for a key that can be printed and stored: 48 bits of its SHA-256, never the key."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def fernets(setting: str, *, purpose: str, needed_for: str) -> list[Fernet]:
    """One Fernet per key of settings.<setting>, newest first; ImproperlyConfigured when one is malformed."""
    try:
        return [Fernet(key) for key in keys(setting, purpose=purpose, needed_for=needed_for)]
    except ValueError as error:
        raise ImproperlyConfigured(f"{setting} holds an invalid Fernet key: {error}") from None


def multi_fernet(setting: str, *, purpose: str, needed_for: str) -> MultiFernet:
    """The MultiFernet of settings.<setting>; ImproperlyConfigured when it is empty in production or malformed."""
    return MultiFernet(fernets(setting, purpose=purpose, needed_for=needed_for))


class TextCipher:
    """Short texts encrypted at rest with the keys of one setting (meeting notes, the pairs' goals).

    ``fernet``, ``encrypt``, ``decrypt`` (raises InvalidToken when no key opens it) and ``rotate``
    (the same text, encrypted with the newest key); the keys are read on every call, so a changed
    setting takes effect at once.
    """

    def __init__(self, setting: str, *, purpose: str, needed_for: str):
        self.setting, self.purpose, self.needed_for = setting, purpose, needed_for

    def fernet(self) -> MultiFernet:
        return multi_fernet(self.setting, purpose=self.purpose, needed_for=self.needed_for)

    def encrypt(self, text: str) -> str:
        return self.fernet().encrypt(text.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self.fernet().decrypt(token.encode("ascii")).decode()

    def rotate(self, token: str) -> str:
        return self.fernet().rotate(token.encode("ascii")).decode("ascii")


ROTATE_ATTEMPTS = 5


def rotate_column(manager, column: str, rotate, *, logger) -> int:
    """Re-encrypt every non-empty value of one column with ``rotate``; returns how many.

    Members keep writing while it runs. Each row is written only if it still holds the ciphertext
    that was read (compare-and-set), so a text saved in between is never reverted to its older
    version: it is read again and rotated in its new form (or left, once deleted or emptied).
    """
    count = 0
    for pk, ciphertext in manager.exclude(**{column: ""}).values_list("pk", column).iterator():
        for _attempt in range(ROTATE_ATTEMPTS):
            if manager.filter(pk=pk, **{column: ciphertext}).update(**{column: rotate(ciphertext)}):
                count += 1
                break
            ciphertext = manager.filter(pk=pk).values_list(column, flat=True).first()
            if not ciphertext:  # removed meanwhile: nothing left to rotate
                break
        else:
            logger.warning(
                "%s #%s changed during each of %s tries; run the rotation again.",
                manager.model._meta.label,
                pk,
                ROTATE_ATTEMPTS,
            )
    return count
