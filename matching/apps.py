from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = _("Matching")

    def ready(self):
        # The Koppelscherm's cached candidate sets are forgotten on every relevant change.
        from . import suggestions  # noqa: F401
