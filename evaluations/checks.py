from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from . import sealing
from .selectors import ABSOLUTE_MIN_GROUP_SIZE, describe_keys_to_retire, seal_keys_to_retire


@register()
def evaluation_thresholds(app_configs, **kwargs):
    """Refuse to start with thresholds that would let a small group be recognised (R14)."""
    errors = []
    # The configured values as they are (their defaults live in settings.py only); the selectors
    # never go below the absolute minimum, this check says so out loud.
    group = settings.EVALUATION_MIN_GROUP_SIZE
    open_answers = settings.EVALUATION_MIN_OPEN_ANSWERS
    if group < ABSOLUTE_MIN_GROUP_SIZE:
        errors.append(
            Error(
                f"EVALUATION_MIN_GROUP_SIZE is {group}; it must be at least {ABSOLUTE_MIN_GROUP_SIZE}.",
                hint="Smaller groups would let coordinators recognise individual answers.",
                id="evaluations.E001",
            )
        )
    if open_answers < group:
        errors.append(
            Error(
                f"EVALUATION_MIN_OPEN_ANSWERS ({open_answers}) is below EVALUATION_MIN_GROUP_SIZE ({group}).",
                hint="Open answers need at least as many responses as the other results.",
                id="evaluations.E002",
            )
        )
    return errors


@register()
def evaluation_seal_keys(app_configs, **kwargs):
    """An empty or malformed EVALUATION_SEAL_KEYS stops the deploy, not a member submitting her evaluation."""
    try:
        sealing.fernet()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="Set EVALUATION_SEAL_KEYS to comma-separated Fernet keys (see evaluations/sealing.py).",
                id="evaluations.E003",
            )
        ]
    return []


@register()
def evaluation_seal_keys_to_retire(app_configs, **kwargs):
    """A seal key that sealed a published round and seals no waiting ballot should be retired (README)."""
    from django.db import DatabaseError

    if not settings.EVALUATION_SEAL_KEYS:
        return []  # development's derived key: nothing to retire
    try:
        keys = seal_keys_to_retire()
    except (DatabaseError, ImproperlyConfigured):
        return []  # no database yet (before migrate), or E003 says what is wrong with the keys
    return [
        Warning(
            line,
            hint="See evaluations/sealing.py and the README's threat model for evaluations.",
            id="evaluations.W004",
        )
        for line in describe_keys_to_retire(keys)
    ]
