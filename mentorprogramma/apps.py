from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class MentorprogrammaConfig(AppConfig):
    name = "mentorprogramma"
    verbose_name = "Mentorprogramma"


class MentorprogrammaAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's site: every ModelAdmin gets its privacy policy."""

    default = False  # INSTALLED_APPS names it; the project app keeps MentorprogrammaConfig
    default_site = "mentorprogramma.admin_site.MentorprogrammaAdminSite"
