"""`manage.py health`: the checks of /health/ready as JSON; exits 1 when one fails (for cron or a monitoring agent)."""

import json

from django.core.management.base import BaseCommand

from coordination.health import readiness


class Command(BaseCommand):
    help = (
        "Check the database, migrations, Redis (broker and cache), a worker, beat and the e-mail queue; "
        "print the result as JSON and exit with status 1 when a check fails."
    )

    def handle(self, *args, **options):
        report = readiness()
        self.stdout.write(json.dumps(report, indent=2))
        if report["status"] != "ok":
            self.stderr.write(f"health: failing: {', '.join(report['failing'])}")
            raise SystemExit(1)
