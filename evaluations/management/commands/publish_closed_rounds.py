import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluations import services
from evaluations.selectors import describe_keys_to_retire


class Command(BaseCommand):
    help = (
        "Publish the sealed evaluation answers of every round that has closed: opened, shuffled and "
        "stored as anonymous responses in one transaction; the sealed ballots are then deleted and the "
        "table vacuumed, and the command says whether they verifiably left the data files. "
        "Safe to run again. The nightly job does the same."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--day",
            type=datetime.date.fromisoformat,
            help="Publish as if today were this day (YYYY-MM-DD, today or earlier); rounds that closed before it.",
        )

    def handle(self, *args, day=None, **options):
        today = timezone.localdate()
        if day is not None and day > today:
            raise CommandError(
                f"--day {day.isoformat()} is later than today ({today.isoformat()}): a round that is still open "
                "would be published, and whoever answers after that would be published alone. Nothing was done."
            )
        report = services.rounds_publish_closed(day=day)
        for name, count in report.published.items():
            self.stdout.write(f"Published {count} response(s) of evaluation round '{name}'.")
        if not report.published and not report.errors:
            self.stdout.write("No closed evaluation round is waiting for publication.")
        if report.files_clean:
            self.stdout.write(
                "Sealed-ballot table vacuumed and rewritten (VACUUM FULL); checked: no deleted ballot is left "
                "in its data files."
            )
        elif report.ballots_held > 0:
            self.stderr.write(
                f"WARNING: {report.ballots_held} deleted sealed ballot(s) are still in the table's data files: "
                "another transaction's snapshot (e.g. a running pg_dump) may still read them, so VACUUM could "
                "not remove them. The next nightly run removes them; or run this command again once that "
                "transaction has ended."
            )
        elif report.ballots_held < 0:
            self.stderr.write(
                "WARNING: the sealed-ballot table was vacuumed, but PostgreSQL keeps no statistics "
                "(track_counts is off), so nothing shows the deleted ballots left its data files."
            )
        elif report.vacuumed:
            self.stderr.write(
                "WARNING: the sealed-ballot table was vacuumed but could not be rewritten now (another "
                "transaction holds a lock on it): deleted ballots may remain in its pages' free space until "
                "the next nightly run."
            )
        for line in describe_keys_to_retire(report.keys_to_retire):
            self.stdout.write(line)
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} round(s) could not be published; see above.")
