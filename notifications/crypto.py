"""Sealing an account e-mail's context (its secret link) while it waits in the outbox.

The key is derived from SECRET_KEY (required in production): rotating SECRET_KEY makes
waiting account e-mails unreadable, and they fail, which is what should happen to links
signed with the old key anyway.
"""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"notifications-outbox:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    """Raises cryptography.fernet.InvalidToken when SECRET_KEY changed since."""
    return _fernet().decrypt(token.encode("ascii")).decode()
