from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    """The roof: the coordinators' cockpit and what reads every app.

    It asks the apps' selectors and constants and never decides a programme rule again;
    no app imports it (the apps reach it only through URL configuration and signals).
    """

    name = "coordination"
    verbose_name = "Coördinatie"
