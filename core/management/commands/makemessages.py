"""Django's makemessages without fuzzy matching.

msgmerge's guesses put an unrelated translation on a new string and mark it
fuzzy; a fuzzy entry is not used, and a hurried edit that only drops the flag
ships the wrong Dutch. New strings therefore arrive empty, for a person to write.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
