"""Re-encrypt every private meeting note with the newest key (step 3 of the rotation in meetings/crypto.py)."""

from django.core.management.base import BaseCommand

from meetings import services


class Command(BaseCommand):
    help = "Re-encrypt all private meeting notes with the first key in MEETING_NOTES_KEYS."

    def handle(self, *args, **options):
        count = services.private_notes_rotate_keys()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} private note(s) with the newest key."))
