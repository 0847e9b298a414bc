"""Writes for members: every change to a user or profile goes through here."""

from django.conf import settings

from .models import User


def user_set_language(*, user: User, language: str) -> None:
    """Remember the member's language so e-mails sent later are in it."""
    if language not in {code for code, _name in settings.LANGUAGES} or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])
