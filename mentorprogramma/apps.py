from django.apps import AppConfig


class MentorprogrammaConfig(AppConfig):
    name = "mentorprogramma"
    verbose_name = "Mentorprogramma"
