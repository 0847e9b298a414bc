from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from . import sealing
from .selectors import ABSOLUTE_MIN_GROUP_SIZE


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
