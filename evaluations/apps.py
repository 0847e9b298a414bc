from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"
    verbose_name = _("Evaluations")
    # Define rounds and questions, see who was invited (granted by accounts.permissions). Never
    # anything on responses or receipts: those are not in the admin at all (R14).
    coordinator_permissions = [
        "view_evaluationround",
        "add_evaluationround",
        "change_evaluationround",
        "delete_evaluationround",
        "view_question",
        "add_question",
        "change_question",
        "delete_question",
        "view_invitation",
    ]

    def ready(self):
        from . import checks  # noqa: F401 - registers the system check
        from .personal_data import register_contributor

        register_contributor()
