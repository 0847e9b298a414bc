"""The sparse proposal solver against the dense optimum, on seeded random cycles (issue 17)."""

import random

import pytest

from matching import scoring, solver
from matching.scoring import Candidate

REGIONS = ["utrecht", "zeeland", "limburg", ""]
PREFERENCES = ["in_person", "virtual", "both"]


def _cycle(seed: int):
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    mentors_count, mentees_count = rng.randint(2, 12), rng.randint(3, 30)

    def person(pk, **extra):
        return Candidate(
            application_id=pk,
            member_id=pk,
            name=f"lid {pk}",
            organisation=rng.choice(["a", "b", "c", ""]),
            region=rng.choice(REGIONS),
            meeting_preference=rng.choice(PREFERENCES),
            topics=frozenset(rng.sample(range(6), rng.randint(0, 3))),
            languages=frozenset(rng.choice([["nederlands"], ["engels"], ["nederlands", "engels"]])),
            **extra,
        )

    mentors = [
        person(pk, years=rng.randint(6, 30), free_places=rng.choice([0, 1, 2, 3])) for pk in range(1, mentors_count + 1)
    ]
    mentees = [
        person(
            pk,
            years=rng.randint(0, 12),
            allow_same_organisation=rng.random() < 0.3,
            prefers_same_region=rng.random() < 0.5,
            has_live_match=rng.random() < 0.1,
        )
        for pk in range(100, 100 + mentees_count)
    ]
    return mentors, mentees


def _check_rules(mentors, mentees, pairs):
    """Every pair allowed by the hard rules, no mentee twice, no mentor over her free places."""
    assert len({row for row, _column in pairs}) == len(pairs)
    for row, column in pairs:
        assert scoring.hard_rule_violation(mentors[column], mentees[row]) == ""
    for column, mentor in enumerate(mentors):
        assert sum(1 for _row, c in pairs if c == column) <= mentor.free_places


@pytest.mark.parametrize("seed", range(40))
def test_on_the_full_graph_the_sparse_solver_finds_the_dense_optimum(seed):
    mentors, mentees = _cycle(seed)
    table = scoring.score_table(mentors, mentees)
    dense = scoring.optimal_assignment(table)
    proposal = solver.propose(mentors, mentees, k=len(mentors) + len(mentees), dense_limit=0)
    assert proposal.method == "sparse"
    _check_rules(mentors, mentees, proposal.pairs)
    assert len(proposal.pairs) == len(dense)
    assert proposal.total_score == scoring.total_score(table, dense)
    assert proposal.total_score == scoring.total_score(table, proposal.pairs)


@pytest.mark.parametrize("seed", range(20))
def test_a_small_candidate_graph_still_keeps_every_rule(seed):
    mentors, mentees = _cycle(seed)
    table = scoring.score_table(mentors, mentees)
    proposal = solver.propose(mentors, mentees, k=2, dense_limit=0)
    _check_rules(mentors, mentees, proposal.pairs)
    assert proposal.total_score == scoring.total_score(table, proposal.pairs)
    assert len(proposal.pairs) <= len(scoring.optimal_assignment(table))


@pytest.mark.parametrize("seed", range(10))
def test_the_candidate_graph_holds_each_mentees_best_mentor(seed):
    mentors, mentees = _cycle(seed)
    table = scoring.score_table(mentors, mentees)
    graph = solver.candidate_graph(mentors, mentees, k=1)
    edges = set(zip(graph.rows.tolist(), graph.columns.tolist(), strict=True))
    for row in range(len(mentees)):
        allowed = [column for column in range(len(mentors)) if table.allowed[row, column]]
        if allowed:
            best = max(table.score_of(row, column) for column in allowed)
            assert any((row, column) in edges and table.score_of(row, column) == best for column in allowed)


def test_a_small_cycle_uses_the_dense_solver():
    mentors, mentees = _cycle(1)
    assert solver.propose(mentors, mentees).method == "dense"
