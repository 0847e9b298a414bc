from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")
    # See what was sent, and send failed messages again (the "change" right); granted by accounts.permissions.
    coordinator_permissions = ["view_outboxmessage", "change_outboxmessage"]

    def ready(self):
        from accounts.signals import retention_notice_created
        from matching.signals import match_activated, partner_left

        from .personal_data import register_contributor
        from .receivers import on_match_activated, on_partner_left, on_retention_notice_created

        match_activated.connect(on_match_activated, dispatch_uid="notifications.match_activated")
        partner_left.connect(on_partner_left, dispatch_uid="notifications.partner_left")
        retention_notice_created.connect(on_retention_notice_created, dispatch_uid="notifications.retention_notice")
        register_contributor()
