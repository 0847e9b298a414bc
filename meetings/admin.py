"""Coordinators see, per pair, how many meetings were held and when: counts and dates only (R11).

Meetings themselves and private notes are not registered here on purpose.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import LargeChangeListMixin, ReadOnlyAdminMixin
from core.roles import is_coordinator
from matching.models import Match

from . import selectors
from .models import PairMeetingStatistics


class NoMeetingAfterSixWeeksFilter(admin.SimpleListFilter):
    title = _("meetings after the start")
    parameter_name = "geen_afspraak"

    def lookups(self, request, model_admin):
        return [("6w", _("no meeting held 6 weeks after the start"))]

    def queryset(self, request, queryset):
        if self.value() == "6w":
            return selectors.quiet_pairs(matches=queryset)
        return queryset


class ShortOfMeetingsFilter(admin.SimpleListFilter):
    """R10: the pairs the cockpit counts as short of meetings, so its link lists exactly those."""

    title = _("meetings before the end")
    parameter_name = "r10"

    def lookups(self, request, model_admin):
        return [("achter", _("fewer than two meetings held and two months left"))]

    def queryset(self, request, queryset):
        if self.value() == "achter":
            return selectors.pairs_short_of_meetings(matches=queryset)
        return queryset


@admin.register(PairMeetingStatistics)
class PairMeetingStatisticsAdmin(LargeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["mentor", "mentee", "cycle", "status", "start_date", "held_meetings", "last_held"]
    list_filter = [NoMeetingAfterSixWeeksFilter, ShortOfMeetingsFilter, "status", "cycle"]
    search_fields = ["mentor__full_name", "mentee__full_name"]
    list_display_links = None
    list_select_related = ["mentor", "mentee", "cycle"]
    actions = None

    def get_queryset(self, request):
        return selectors.with_meeting_stats(matches=super().get_queryset(request)).exclude(status=Match.Status.PROPOSED)

    @admin.display(description=_("meetings held"), ordering="held_meeting_count")
    def held_meetings(self, obj):
        return obj.held_meeting_count

    @admin.display(description=_("last meeting held"), ordering="last_held_at")
    def last_held(self, obj):
        if obj.last_held_at is None:
            return "–"
        return timezone.localtime(obj.last_held_at).date()

    def has_view_permission(self, request, obj=None):
        # The counts are for every coordinator, and only the list exists (no detail page).
        return is_coordinator(request.user) and obj is None

    def has_module_permission(self, request):
        return is_coordinator(request.user)
