"""Appoint a coordinator from the command line: staff and in the "Coördinatoren" group, never superuser."""

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = (
        "Make an existing account (she has registered on the site) a coordinator: staff and in the "
        "'Coördinatoren' group, with exactly the coordinators' permissions, not a superuser. "
        "--remove takes the role away again."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the e-mail address she logs in with")
        parser.add_argument("--remove", action="store_true", help="take the coordinator role away")

    def handle(self, *args, email, remove, **options):
        change = services.coordinator_dismiss if remove else services.coordinator_appoint
        try:
            user = change(email=email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if remove:
            self.stdout.write(self.style.SUCCESS(f"{user.email} is no longer a coordinator."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{user.email} is now a coordinator (staff, not superuser)."))
            if not is_mfa_enabled(user):
                self.stdout.write(
                    "She will be asked to set up two-factor authentication (an authenticator app, security key "
                    "or passkey) before the coordination pages open."
                )
