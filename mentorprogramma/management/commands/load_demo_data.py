"""Demo data for `make run`: a coordinator and a handful of members. Safe to run twice."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from core.mfa import DEMO_TOTP_SECRET, current_totp_code, totp_activate

# Each app may add its own demo data in <app>/demo.py with load(*, members, stdout).
APPS_WITH_DEMO = ["matching", "meetings", "evaluations"]


class Command(BaseCommand):
    help = "Create (or refresh) the demo coordinator and members and print their logins."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is for development only.")
        with transaction.atomic():
            members = accounts_demo.load()
            for app in APPS_WITH_DEMO:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError:
                    continue
                module.load(members=members, stdout=self.stdout)
            # Coordinators need a second factor (core.mfa): the demo one gets a known secret.
            totp_activate(user=members["coordinator"], secret=DEMO_TOTP_SECRET)

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {accounts_demo.DEMO_PASSWORD})"))
        width = max(len(person["role"]) for person in accounts_demo.PEOPLE)
        for person in accounts_demo.PEOPLE:
            self.stdout.write(f"  {person['role']:<{width}}  {person['email']}")
        self.stdout.write("")
        self.stdout.write(
            "The coordinator also needs a code from an authenticator app. Add this secret to one\n"
            f"(FreeOTP, Google Authenticator, 1Password...): {DEMO_TOTP_SECRET}\n"
            "or print the current code with: python manage.py demo_totp_code "
            f"(now: {current_totp_code(DEMO_TOTP_SECRET)})"
        )
        self.stdout.write("")
