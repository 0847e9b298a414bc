"""Validators shared by the apps."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Control characters (CR, LF, TAB, NUL, ESC, DEL, ...) and the Unicode line and paragraph separators:
# in a name, title or place they break e-mail headers and calendar files, and nobody types them on purpose.
_BREAKING = {"Cc", "Zl", "Zp"}


def _breaks_a_line(char: str) -> bool:
    return unicodedata.category(char) in _BREAKING


@deconstructible
class SingleLineValidator:
    """Refuses line breaks, tabs and other control characters in a single-line field."""

    message = _("Use one line here: no line breaks, tabs or other control characters.")
    code = "control_characters"

    def __call__(self, value):
        if value and any(_breaks_a_line(char) for char in str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, SingleLineValidator)


validate_single_line = SingleLineValidator()

_RUNS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(value) -> str:
    """The text on one line: every run of control characters becomes one space.

    For stored data that predates the validator, on its way into a mail header or calendar
    file: a name with a line break is shown a little oddly, never breaks someone else's mail.
    """
    return _RUNS.sub(" ", str(value)).strip()
