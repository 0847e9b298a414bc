from django.core.management.base import BaseCommand

from accounts.retention import purge_expired_data


class Command(BaseCommand):
    help = (
        "Retention: warn and erase members who no longer take part, remove superseded member-list rows, "
        "expired private notes and old e-mail bodies. Periods come from the RETENTION_* settings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be removed or warned about; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        report = purge_expired_data(dry_run=dry_run)
        prefix = "[dry run] " if dry_run else ""
        for line in report.lines:
            self.stdout.write(prefix + line)
        if not report.lines:
            self.stdout.write(prefix + "Nothing has expired.")
