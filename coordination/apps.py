from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    """The roof: the coordinators' cockpit and weekly digest, and what reads every app.

    It asks the apps' selectors and constants and never decides a programme rule again;
    no app imports it (the apps reach it only through URL configuration and the registry
    below).
    """

    name = "coordination"
    verbose_name = "Coördinatie"

    def ready(self):
        from notifications.emails.build import register_builder

        from .digest import KIND, digest_content

        # The outbox builds the digest at sending time with the roof's content.
        register_builder(KIND, digest_content)
