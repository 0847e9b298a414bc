"""E-mail backends for tests: one that fails on demand, one that is slow (for the SIGKILL test)."""

import os
import time

from django.core.mail.backends import filebased, locmem


class FlakyBackend(locmem.EmailBackend):
    """Raises the queued exceptions, one per send, then delivers to mail.outbox."""

    errors: list[Exception] = []

    def send_messages(self, email_messages):
        if FlakyBackend.errors:
            raise FlakyBackend.errors.pop(0)
        return super().send_messages(email_messages)


class SlowFileBackend(filebased.EmailBackend):
    """Django's file backend, with a pause per message so a test can kill a worker mid-batch."""

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("NOTIFICATIONS_TEST_SEND_DELAY", "0")))
        return super().send_messages(email_messages)
