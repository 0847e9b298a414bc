from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from matching.signals import match_activated

        from .receivers import on_match_activated

        match_activated.connect(on_match_activated, dispatch_uid="notifications.match_activated")
