from django.contrib import admin

from .models import Application, Cycle, Match


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "applications_open", "applications_close", "planned_start"]
    list_filter = ["status"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["member", "role", "cycle", "status", "created_at"]
    list_filter = ["cycle", "role", "status"]
    search_fields = ["member__full_name", "member__email"]


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "cycle", "status", "start_date", "planned_end"]
    list_filter = ["cycle", "status"]
    search_fields = ["mentor__full_name", "mentee__full_name"]
