from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goals"
    verbose_name = _("Goals")
    # No coordinator permissions and no admin: the goals are the pair's own (R11); coordinators
    # see counts only, on the cockpit.

    def ready(self):
        from matching.signals import match_activated, pair_has_begun

        from . import disclosure  # noqa: F401 - who may read a goal's text (core.disclosure)
        from .personal_data import register_contributor
        from .receivers import on_match_activated, on_pair_has_begun

        # Her goals in Mijn gegevens, the export and the erasure (accounts' registry).
        register_contributor()
        # R5: a renewed term starts with the goals the pair chose to carry over.
        match_activated.connect(on_match_activated, dispatch_uid="goals.match_activated")
        # Issue 28 §4: a pair with a goal has begun, so the coordinator can no longer undo it.
        pair_has_begun.connect(on_pair_has_begun, dispatch_uid="goals.pair_has_begun")
