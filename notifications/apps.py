from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")
    # See what was sent, and send failed messages again (the "change" right); granted by accounts.permissions.
    coordinator_permissions = ["view_outboxmessage", "change_outboxmessage"]

    def ready(self):
        from accounts.signals import membership_decided, retention_notice_created
        from evaluations.signals import invitations_created
        from matching.signals import (
            fit_check_asked,
            fit_check_concern,
            match_activated,
            match_ended,
            match_undone,
            matching_closed,
            mentor_asked,
            pair_dates_changed,
            partner_left,
        )
        from meetings.signals import meeting_changed

        from . import receivers
        from .personal_data import register_contributor

        match_activated.connect(receivers.on_match_activated, dispatch_uid="notifications.match_activated")
        mentor_asked.connect(receivers.on_mentor_asked, dispatch_uid="notifications.mentor_asked")
        membership_decided.connect(receivers.on_membership_decided, dispatch_uid="notifications.membership_decided")
        invitations_created.connect(receivers.on_invitations_created, dispatch_uid="notifications.invitations_created")
        partner_left.connect(receivers.on_partner_left, dispatch_uid="notifications.partner_left")
        retention_notice_created.connect(
            receivers.on_retention_notice_created, dispatch_uid="notifications.retention_notice"
        )
        match_ended.connect(receivers.on_match_ended, dispatch_uid="notifications.match_ended")
        match_undone.connect(receivers.on_match_undone, dispatch_uid="notifications.match_undone")
        meeting_changed.connect(receivers.on_meeting_changed, dispatch_uid="notifications.meeting_changed")
        fit_check_asked.connect(receivers.on_fit_check_asked, dispatch_uid="notifications.fit_check_asked")
        fit_check_concern.connect(receivers.on_fit_check_concern, dispatch_uid="notifications.fit_check_concern")
        matching_closed.connect(receivers.on_matching_closed, dispatch_uid="notifications.matching_closed")
        pair_dates_changed.connect(receivers.on_pair_dates_changed, dispatch_uid="notifications.pair_dates_changed")
        register_contributor()
