from django.apps import AppConfig


class MentorprogrammaConfig(AppConfig):
    """Configuration only: settings, URLs, the Celery app and the public pages' templates."""

    name = "mentorprogramma"
    verbose_name = "Mentorprogramma"
