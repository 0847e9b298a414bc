"""The mentee's ranking feeds the optimum (issue 25 §2): a bonus per rank, named in the reasons."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import MemberFactory
from matching import proposals, scoring, services, solver
from matching.models import MatchingProposal
from matching.scoring import Candidate, explain
from matching.tests.factories import ApplicationFactory, MentorApplicationFactory


def mentor(pk, **fields):
    return Candidate(
        **{"application_id": pk, "member_id": pk, "name": f"mentor {pk}", "years": 15, "free_places": 1, **fields}
    )


def mentee(pk, **fields):
    return Candidate(**{"application_id": pk, "member_id": pk, "name": f"mentee {pk}", "years": 2, **fields})


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_each_rank_adds_its_bonus_and_the_reason_says_which_choice():
    anna = mentor(1)
    plain = explain(anna, mentee(9)).score
    for rank, points in enumerate(scoring.DEFAULT_CHOICE_POINTS, start=1):
        choices = tuple([5, 6, 7][: rank - 1]) + (1,)
        suggestion = explain(anna, mentee(9, choices=choices))
        assert suggestion.score == plain + points
        assert suggestion.reasons[0] == f"the mentee's choice no. {rank}"
    assert scoring.DEFAULT_CHOICE_POINTS[0] > scoring.DEFAULT_CHOICE_POINTS[1] > scoring.DEFAULT_CHOICE_POINTS[2]


def test_the_dutch_reason_reads_as_a_coordinator_says_it():
    with translation.override("nl"):
        assert "1e keus van de mentee" in explain(mentor(1), mentee(9, choices=(1,))).reasons


@override_settings(MATCHING_CHOICE_POINTS=(5, 3, 1))
def test_the_weights_come_from_the_setting():
    assert explain(mentor(1), mentee(9, choices=(1,))).score == explain(mentor(1), mentee(9)).score + 5


def _two_by_two(**bea_fields):
    """Anna suits Carla best on topics; Bea shares one topic with Anna and none with Dora."""
    anna, dora = mentor(1, topics=frozenset({1, 2, 3})), mentor(2)
    carla = mentee(10, topics=frozenset({1, 2, 3}))
    bea = mentee(11, topics=frozenset({1}), **bea_fields)
    return [anna, dora], [carla, bea]


@pytest.mark.parametrize("dense_limit", [solver.DENSE_LIMIT, 0], ids=["dense", "sparse"])
def test_a_first_choice_changes_the_proposal_as_stated(dense_limit):
    mentors, mentees = _two_by_two()
    without = solver.propose(mentors, mentees, dense_limit=dense_limit)
    assert without.pairs == [(0, 0), (1, 1)]  # Carla gets Anna

    mentors, mentees = _two_by_two(choices=(1,))  # Bea's first choice is Anna
    ranked = solver.propose(mentors, mentees, dense_limit=dense_limit)

    # Bea with Anna 26 + 40 and Carla with Dora 16: 82 beats Carla with Anna 46 and Bea with Dora 16.
    assert ranked.pairs == [(0, 1), (1, 0)]
    assert ranked.total_score == without.total_score + 20


@pytest.mark.parametrize("dense_limit", [solver.DENSE_LIMIT, 0], ids=["dense", "sparse"])
def test_a_third_choice_weighs_less_and_the_cycle_still_decides(dense_limit):
    # Bea's third choice (+20) only ties with Carla's topics: the proposal may not worsen the cycle's total.
    mentors, mentees = _two_by_two(choices=(7, 8, 1))
    ranked = solver.propose(mentors, mentees, dense_limit=dense_limit)
    assert ranked.total_score == 62


@pytest.mark.django_db
def test_the_proposal_and_the_koppelscherm_show_her_choices_and_whether_they_are_honoured(
    client, cycle, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    anna = MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=1)
    dora = MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=1)
    bea = ApplicationFactory(cycle=cycle, member=MemberFactory())
    carla = ApplicationFactory(cycle=cycle, member=MemberFactory())
    services.mentor_choices_set(application=bea, by=bea.member, mentor_application_ids=[dora.pk, anna.pk])
    services.mentor_choices_set(application=carla, by=carla.member, mentor_application_ids=[dora.pk])

    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposals.matching_proposal_start(cycle=cycle, by=coordinator)
    proposal.refresh_from_db()

    assert proposal.status == MatchingProposal.Status.READY
    # Both wanted Dora first: one gets her, the other her second choice or the other mentor.
    chosen = {int(pk): mentor_id for pk, (mentor_id, include) in proposal.choices.items()}
    assert dora.pk in chosen.values() and anna.pk in chosen.values()
    assert chosen[bea.pk] in (dora.pk, anna.pk)

    with translation.override("nl"):
        page = client.get(reverse("admin:matching_cycle_proposal", args=[cycle.pk])).content.decode()
        assert "Haar keuzes:" in page
        assert "1e keus van de mentee" in page
        assert "2 mentees hebben mentoren gekozen" in page
        screen = client.get(reverse("admin:matching_cycle_matching", args=[cycle.pk])).content.decode()
        assert "Haar keuzes:" in screen
        assert f"1. {dora.member}" in screen
