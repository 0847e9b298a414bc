import datetime

from django.core.management.base import BaseCommand, CommandError

from evaluations import services


class Command(BaseCommand):
    help = (
        "Publish the sealed evaluation answers of every round that has closed: opened, shuffled and "
        "stored as anonymous responses in one transaction; the sealed ballots are then deleted. "
        "Safe to run again. The nightly job does the same."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--day",
            type=datetime.date.fromisoformat,
            help="Publish as if today were this day (YYYY-MM-DD); rounds that closed before it.",
        )

    def handle(self, *args, day=None, **options):
        report = services.rounds_publish_closed(day=day)
        for name, count in report.published.items():
            self.stdout.write(f"Published {count} response(s) of evaluation round '{name}'.")
        if not report.published and not report.errors:
            self.stdout.write("No closed evaluation round is waiting for publication.")
        if report.vacuumed:
            self.stdout.write("Sealed-ballot table rewritten (VACUUM FULL): deleted ballots left the data files.")
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} round(s) could not be published; see above.")
