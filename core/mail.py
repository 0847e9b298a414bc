import sys

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
