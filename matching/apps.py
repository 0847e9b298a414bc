from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = _("Matching")
    # Cycles, applications and matches are the coordinators' daily work (granted by accounts.permissions).
    # Nothing is deleted: withdrawing and ending are status changes (R6).
    coordinator_permissions = [
        "view_cycle",
        "add_cycle",
        "change_cycle",
        "view_application",
        "change_application",
        "view_match",
        "add_match",
        "change_match",
        # The conflict-of-interest register: coordinators keep the firm groups themselves.
        "view_firmgroup",
        "add_firmgroup",
        "change_firmgroup",
        "delete_firmgroup",
        # Issue 15 §3: "it does not fit" and the note meant for them (read-only in the admin).
        "view_fitcheck",
        # Issue 25 §5: a pair allowed again despite an earlier pair that ended early or did not fit.
        "view_pairoverride",
        "add_pairoverride",
        "delete_pairoverride",
    ]

    def ready(self):
        from . import (
            disclosure,  # noqa: F401 - who may see a pair's private fields (core.disclosure)
            suggestions,  # noqa: F401 - the Koppelscherm's candidate sets are forgotten on every change
        )
        from .personal_data import register_contributor

        # Her applications and pairs in Mijn gegevens, the export and the erasure (accounts' registry).
        register_contributor()
