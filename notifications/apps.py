from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from matching.signals import fit_check_asked, fit_check_concern, match_activated, match_ended, matching_closed
        from meetings.signals import meeting_changed

        from . import receivers
        from .receivers import on_match_activated, on_match_ended, on_meeting_changed

        match_activated.connect(on_match_activated, dispatch_uid="notifications.match_activated")
        match_ended.connect(on_match_ended, dispatch_uid="notifications.match_ended")
        meeting_changed.connect(on_meeting_changed, dispatch_uid="notifications.meeting_changed")
        fit_check_asked.connect(receivers.on_fit_check_asked, dispatch_uid="notifications.fit_check_asked")
        fit_check_concern.connect(receivers.on_fit_check_concern, dispatch_uid="notifications.fit_check_concern")
        matching_closed.connect(receivers.on_matching_closed, dispatch_uid="notifications.matching_closed")
