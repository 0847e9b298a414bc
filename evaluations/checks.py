from django.conf import settings
from django.core.checks import Error, register

from .selectors import ABSOLUTE_MIN_GROUP_SIZE


@register()
def evaluation_thresholds(app_configs, **kwargs):
    """Refuse to start with thresholds that would let a small group be recognised (R14)."""
    errors = []
    group = getattr(settings, "EVALUATION_MIN_GROUP_SIZE", 5)
    open_answers = getattr(settings, "EVALUATION_MIN_OPEN_ANSWERS", 8)
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
