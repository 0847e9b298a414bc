from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self):
        from . import checks  # noqa: F401 - registers the system check
        from .personal_data import register_contributor

        register_contributor()
