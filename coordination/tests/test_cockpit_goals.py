"""Issue 26 §3: the cockpit shows the pairs' goals as counts only, and only for groups of 5 or more."""

import pytest
from django.urls import reverse

from accounts.tests.factories import CoordinatorFactory
from coordination.cockpit import goal_figures
from goals.tests.factories import GoalFactory
from matching.models import Cycle
from matching.tests.factories import ActiveMatchFactory, CycleFactory

pytestmark = pytest.mark.django_db

MARKER = "GEHEIM-DOEL-cockpit-77"


def _pairs(cycle, count):
    return [ActiveMatchFactory(cycle=cycle) for _ in range(count)]


def _figures(cycle, matched):
    return [str(figure.value) for figure in goal_figures(cycle, matched=matched)]


def test_counts_are_shown_for_groups_of_five_or_more():
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    pairs = _pairs(cycle, 15)
    for pair in pairs[:10]:
        GoalFactory(match=pair)
    for pair in pairs[:5]:
        GoalFactory(match=pair, state="achieved")
        GoalFactory(match=pair, state="achieved")

    assert _figures(cycle, 15) == ["10", "5", "10"]


def test_few_pairs_without_goals_are_not_given_away_by_the_matched_count():
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    pairs = _pairs(cycle, 12)
    for pair in pairs[:10]:
        GoalFactory(match=pair, state="achieved")

    # "matched" (12) is on the page beside it: 10 with goals would tell that 2 pairs set none.
    assert _figures(cycle, 12)[0] == "te weinig"


def test_small_groups_and_their_complements_say_too_few():
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    pairs = _pairs(cycle, 10)
    for pair in pairs[:4]:
        GoalFactory(match=pair, state="achieved")

    # 4 pairs with goals: too few; so are the achieved ones counted on them.
    assert _figures(cycle, 10) == ["te weinig", "te weinig", "te weinig"]


def test_a_complement_of_fewer_than_five_is_not_given_away():
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    pairs = _pairs(cycle, 15)
    for pair in pairs[:10]:
        GoalFactory(match=pair)
    for pair in pairs[:8]:
        GoalFactory(match=pair, state="achieved")

    figures = _figures(cycle, 15)
    # 10 with goals and 8 achieved would tell that 2 pairs achieved none: one of them is withheld.
    assert "te weinig" in figures[:2]


def test_the_cockpit_page_shows_counts_and_never_a_goal_text(client):
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    for pair in _pairs(cycle, 6):
        GoalFactory(match=pair, text=MARKER)
    client.force_login(CoordinatorFactory())

    page = client.get(reverse("coordination") + f"?cyclus={cycle.pk}").content.decode()

    assert "Doelen in de mentorschappen" in page
    assert MARKER not in page
