"""Run the notification jobs by hand: what beat does daily, weekly and every minute.

Useful in development (no beat running) and for operations after an outage:
`manage.py send_due_notifications` queues what is due today and sends what is waiting.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import delivery, services
from notifications.models import OutboxMessage


class Command(BaseCommand):
    help = "Queue today's due notifications, then send what is waiting (the weekly digest: send_coordinator_digest)."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="Act as if it is this day (YYYY-MM-DD); default today.")

    def handle(self, *args, day=None, **options):
        try:
            day = datetime.date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise CommandError(f"--day must look like 2027-03-01: {exc}") from exc
        started = timezone.now()
        counts = services.daily_jobs_run(day=day)
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} recorded")
        delivery.outbox_deliver_due()
        # Counted in the outbox: with in-process Celery the mail already went out when it was recorded.
        sent = OutboxMessage.objects.filter(sent_at__gte=started).count()
        waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
        failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED, created_at__gte=started).count()
        self.stdout.write(f"sent {sent}, waiting {waiting}, failed {failed}")
