"""`python manage.py seed_scale --members 10000`: the benchmarks' data set (see bench/scale.py)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import scale


class Command(BaseCommand):
    help = "Fill a throwaway database with a realistic programme of N members (for benchmarks). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=10_000, help="how many members (default 10,000)")

    def handle(self, *args, members, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_scale writes thousands of made-up members: never in production.")
        if members < 10:
            raise CommandError("Use at least 10 members.")
        started = time.perf_counter()
        counts = scale.seed(members=members, log=lambda line: self.stdout.write(f"  {line}"))
        if not counts:
            self.stdout.write("The scale data set is already in this database: nothing changed.")
            return
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s."))
