from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    """The ground floor: what every app shares (fields, form and admin helpers, the coordinator
    gate and second factor, Fernet keys, mail backends). It imports no app of the project."""

    name = "core"
    verbose_name = "Mentorprogramma"


class MentorprogrammaAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's site: every ModelAdmin gets its privacy policy."""

    default = False  # INSTALLED_APPS names it; the core app keeps CoreConfig
    default_site = "core.admin_site.MentorprogrammaAdminSite"
