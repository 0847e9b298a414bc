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
