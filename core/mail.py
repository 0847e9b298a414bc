import smtplib
import sys

from django.core.mail.backends import smtp
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class ConsoleAndFileEmailBackend(FileBackend):
    """Development mail: print each message and keep a copy in EMAIL_FILE_PATH.

    The console shows the verification link at once; the folder keeps every
    message so it can be opened again after the terminal has scrolled.
    """

    def write_message(self, message):
        super().write_message(message)
        sys.stdout.write(message.message().as_string())
        sys.stdout.write("\n" + "-" * 79 + "\n")
        sys.stdout.flush()


class _KnowsWhenDataStarted:
    """An SMTP connection that remembers whether the last message reached the DATA command.

    From then on the server may have accepted the message even if no reply arrives (a timeout,
    a dropped connection, a task time limit): such a send must not be repeated blindly.
    """

    may_have_accepted = False

    def data(self, msg):
        self.may_have_accepted = True
        return super().data(msg)


class _SMTP(_KnowsWhenDataStarted, smtplib.SMTP):
    pass


class _SMTP_SSL(_KnowsWhenDataStarted, smtplib.SMTP_SSL):  # noqa: N801 - smtplib's name
    pass


class SMTPEmailBackend(smtp.EmailBackend):
    """Django's SMTP backend, plus ``may_have_accepted`` for the last message sent (see notifications.delivery)."""

    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    @property
    def may_have_accepted(self) -> bool:
        return bool(getattr(self.connection, "may_have_accepted", False))

    def _send(self, email_message):
        if self.connection is not None:
            self.connection.may_have_accepted = False
        return super()._send(email_message)
