"""Re-encrypt every private meeting note, and the pairs' goals, with the newest key (step 3 of the rotation in
meetings/crypto.py). The goals share MEETING_NOTES_KEYS (goals/crypto.py), so one rotation covers both."""

from django.core.management.base import BaseCommand

from goals.services import goal_texts_rotate_keys
from meetings import services


class Command(BaseCommand):
    help = "Re-encrypt all private meeting notes and the pairs' goals with the first key in MEETING_NOTES_KEYS."

    def handle(self, *args, **options):
        count = services.private_notes_rotate_keys()
        goals = goal_texts_rotate_keys()
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {count} private note(s) and {goals} goal text(s) with the newest key.")
        )
