from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentorprogramma.admin import LargeChangeListMixin, ReadOnlyAdminMixin

from . import services
from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(LargeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """What was sent to whom and when; read-only. Bodies are never stored, so none can leak here."""

    list_display = ["addressee", "kind", "status", "created_at", "sent_at", "attempts", "short_error"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__email", "recipient__full_name", "to_email"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    # Never the sealed context: an account e-mail's secret link stays out of the admin.
    fields = [
        "recipient",
        "to_email",
        "kind",
        "template",
        "status",
        "period",
        "subject_type",
        "subject_id",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "attempts",
        "last_error",
    ]
    readonly_fields = fields
    actions = ["resend_failed"]

    @admin.display(description=_("recipient"), ordering="recipient__email")
    def addressee(self, obj):
        return obj.address

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description=_("Send the selected failed messages again"), permissions=["resend"])
    def resend_failed(self, request, queryset):
        count = services.outbox_resend(ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(count)d message will be sent again.", "%(count)d messages will be sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was skipped: only failed messages are sent again.",
                    "%(count)d messages were skipped: only failed messages are sent again.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.change_outboxmessage")
