from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"
    verbose_name = _("Meetings")
    # No coordinator permissions: coordinators see only counts, through a view open to staff (R11).

    def ready(self):
        from matching.signals import match_activated, pair_has_begun

        from . import (
            checks,  # noqa: F401  (registers the system check)
            disclosure,  # noqa: F401  (who may read a private note: core.disclosure)
        )
        from .personal_data import register_contributor
        from .receivers import on_match_activated, on_pair_has_begun

        register_contributor()

        match_activated.connect(on_match_activated, dispatch_uid="meetings.match_activated")
        pair_has_begun.connect(on_pair_has_begun, dispatch_uid="meetings.pair_has_begun")
