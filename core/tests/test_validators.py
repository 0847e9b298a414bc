"""Finding 21.10: single-line fields refuse control characters; stored ones are put on one line on the way out."""

import pytest
from django.core.exceptions import ValidationError

from core.validators import single_line, validate_single_line


@pytest.mark.parametrize(
    "value",
    ["Eva\nVisser", "Eva\rVisser", "Eva\r\nVisser", "Eva\tVisser", "Eva\x00", "Eva\x1b[31m", "Eva\x85", "A\u2028B"],
)
def test_control_characters_and_line_separators_are_refused(value):
    with pytest.raises(ValidationError) as refused:
        validate_single_line(value)

    assert refused.value.code == "control_characters"


@pytest.mark.parametrize("value", ["", "Eva Visser", "Zoë d'Ancona-Ébène", "José 🙂", "Anna van der Berg (NOB)"])
def test_ordinary_names_pass(value):
    validate_single_line(value)


def test_stored_text_is_put_on_one_line():
    assert single_line("Eva\r\nVisser") == "Eva Visser"
    assert single_line("\tEva\x00\x1b Visser\u2029") == "Eva  Visser"
    assert single_line("Zoë") == "Zoë"
