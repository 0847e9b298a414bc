from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")
    # See what was sent, and send failed messages again (the "change" right); granted by accounts.permissions.
    coordinator_permissions = ["view_outboxmessage", "change_outboxmessage"]

    def ready(self):
        from matching.signals import match_activated

        from .receivers import on_match_activated

        match_activated.connect(on_match_activated, dispatch_uid="notifications.match_activated")
