"""Record this week's coordinators' digest by hand (what beat does on Monday mornings)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from coordination import digest


class Command(BaseCommand):
    help = "Record this week's digest for every coordinator (once per week); the outbox sends it."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="Act as if it is this day (YYYY-MM-DD); default today.")

    def handle(self, *args, day=None, **options):
        try:
            day = datetime.date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise CommandError(f"--day must look like 2027-03-01: {exc}") from exc
        self.stdout.write(f"coordinator_digest: {digest.digest_record(day=day)} recorded")
