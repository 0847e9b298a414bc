"""Development only: the demo coordinator's current authenticator code, for logging in without an app."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.mfa import DEMO_TOTP_SECRET, current_totp_code


class Command(BaseCommand):
    help = "Print the demo coordinator's current six-digit code (development only; refused in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo authenticator is for development only.")
        self.stdout.write(current_totp_code(DEMO_TOTP_SECRET))
