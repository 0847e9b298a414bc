"""Run the notification jobs by hand: what beat does daily, weekly and every minute.

Useful in development (no beat running) and for operations after an outage:
`manage.py send_due_notifications` queues what is due today and sends what is waiting.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications import services


class Command(BaseCommand):
    help = "Queue today's due notifications (and optionally the coordinator digest), then send what is waiting."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="Act as if it is this day (YYYY-MM-DD); default today.")
        parser.add_argument("--digest", action="store_true", help="Also send this week's coordinator digest.")

    def handle(self, *args, day=None, digest=False, **options):
        try:
            day = datetime.date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise CommandError(f"--day must look like 2027-03-01: {exc}") from exc
        counts = services.run_daily_jobs(day=day)
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} queued")
        if digest:
            self.stdout.write(f"coordinator_digest: {len(services.send_coordinator_digest(day=day))} queued")
        report = services.deliver_due()
        self.stdout.write(f"sent {report.sent}, to retry {report.retrying}, failed {report.failed}")
