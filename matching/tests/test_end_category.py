"""Issue 27 §2: every early end has a category; pairs ended before it existed read "not recorded"."""

import importlib

import pytest
from django.apps import apps

from matching import selectors
from matching.models import END_CATEGORY_CHOICES, Match
from matching.tests.factories import ActiveMatchFactory

pytestmark = pytest.mark.django_db


def test_pairs_ended_early_before_the_category_existed_read_not_recorded():
    migration = importlib.import_module("matching.migrations.0013_end_category")
    ended = ActiveMatchFactory(status=Match.Status.ENDED_EARLY, end_reason="Oud", end_category="")
    active = ActiveMatchFactory()

    migration.record_unknown(apps, None)

    ended.refresh_from_db()
    active.refresh_from_db()
    assert ended.end_category == Match.EndCategory.UNKNOWN
    assert active.end_category == ""


def test_the_choices_are_short_english_codes_and_not_recorded_is_not_one_to_choose():
    codes = [value for value, _label in END_CATEGORY_CHOICES]
    assert codes == ["time", "fit", "circumstances", "goal_reached", "other"]
    assert str(Match.EndCategory.UNKNOWN.label) == "niet vastgelegd"


def test_the_report_counts_an_early_end_without_a_category_as_not_recorded():
    pair = ActiveMatchFactory()
    Match.objects.filter(pk=pair.pk).update(status=Match.Status.ENDED_EARLY, end_category="")
    (row,) = selectors.pairs_for_report(cycle=pair.cycle).values("end_category_or_unknown")
    assert row["end_category_or_unknown"] == "unknown"
