from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import LargeChangeListMixin, ReadOnlyAdminMixin

from . import delivery
from .models import OutboxMessage

KIND_LABELS = dict(OutboxMessage.Kind.choices)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(LargeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """What was sent to whom and when; read-only. Bodies are never stored, so none can leak here."""

    # Issue 28 §4: what coordinators scan for; attempts and times of sending are on the change page.
    list_display = ["addressee", "kind", "status", "created_at", "short_error"]
    # "When" as a filter (today, past 7 days, this month, this year) rather than a date hierarchy:
    # the hierarchy reads MIN, MAX and every distinct date of the whole table on each page.
    list_filter = ["status", "kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["recipient__email", "recipient__full_name", "to_email"]
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

    def get_queryset(self, request):
        # The sealed context is never shown; no page needs to read it.
        return super().get_queryset(request).defer("sealed_context")

    def action_checkbox_label(self, obj):
        # str(obj) without get_kind_display(), which translates every kind's label for each row.
        return f"{KIND_LABELS.get(obj.kind, obj.kind)} → {obj.recipient or obj.to_email}"

    @admin.display(description=_("recipient"), ordering="recipient__email")
    def addressee(self, obj):
        return obj.address

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description=_("Send the selected failed messages again"), permissions=["resend"])
    def resend_failed(self, request, queryset):
        # The ids first: a filtered list ("failed") no longer holds them once they are pending again.
        report = delivery.outbox_resend(ids=list(queryset.values_list("pk", flat=True)))
        count = report.resent
        self.message_user(
            request,
            ngettext("%(count)d message will be sent again.", "%(count)d messages will be sent again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if report.not_failed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was skipped: only failed messages are sent again.",
                    "%(count)d messages were skipped: only failed messages are sent again.",
                    report.not_failed,
                )
                % {"count": report.not_failed},
                messages.WARNING,
            )
        if report.expired:
            self.message_user(
                request,
                ngettext(
                    "%(count)d account e-mail was not sent again: its link has expired. Ask her to request a new link.",
                    "%(count)d account e-mails were not sent again: their links have expired. "
                    "Ask them to request a new link.",
                    report.expired,
                )
                % {"count": report.expired},
                messages.WARNING,
            )

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.change_outboxmessage")
