"""Dutch is the default and must be complete; English must have a catalogue too."""

from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(BASE_DIR.glob("locale/*/LC_MESSAGES/django.po"))
DUTCH = [path for path in CATALOGUES if "/nl/" in str(path)]


def test_both_languages_have_catalogues():
    assert any("/nl/" in str(path) for path in CATALOGUES)
    assert any("/en/" in str(path) for path in CATALOGUES)


@pytest.mark.parametrize("path", DUTCH, ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_every_dutch_string_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(str(path))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path.name}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {path.name}: {fuzzy[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_compiled_catalogue_is_current(path):
    compiled = path.with_suffix(".mo")

    assert compiled.exists(), f"run `make makemessages` and commit {compiled}"
    translated = {(entry.msgctxt, entry.msgid, entry.msgstr) for entry in polib.pofile(str(path)).translated_entries()}
    in_mo = {(entry.msgctxt, entry.msgid, entry.msgstr) for entry in polib.mofile(str(compiled)) if entry.msgid}
    assert in_mo == translated
