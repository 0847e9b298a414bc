from django.core.management.base import BaseCommand

from evaluations import services


class Command(BaseCommand):
    help = "Re-seal every waiting evaluation ballot with the first key in EVALUATION_SEAL_KEYS."

    def handle(self, *args, **options):
        count = services.sealed_ballots_reseal()
        self.stdout.write(f"Re-sealed {count} evaluation ballot(s) with the newest key.")
