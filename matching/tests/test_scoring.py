"""The one home of suggestions: hard rules, the score and its reasons, the optimal proposal."""

import random
from dataclasses import replace

import numpy as np
import pytest
from django.utils import translation

from accounts.models import MeetingPreference
from matching.scoring import (
    Candidate,
    explain,
    greedy_assignment,
    hard_rule_violation,
    optimal_assignment,
    parse_languages,
    prepare,
    prepare_again,
    score_block,
    score_rows,
    score_table,
    total_score,
)


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


def test_a_member_is_never_her_own_mentor():
    assert hard_rule_violation(mentor(1), mentee(1))
    assert explain(mentor(1), mentee(1)) is None


def test_same_organisation_is_forbidden_unless_the_mentee_allows_it():
    assert hard_rule_violation(mentor(1, organisation="kantoor a"), mentee(2, organisation="kantoor a"))
    assert not hard_rule_violation(
        mentor(1, organisation="kantoor a"), mentee(2, organisation="kantoor a", allow_same_organisation=True)
    )


def test_a_full_mentor_an_ineligible_mentor_and_a_matched_mentee_are_forbidden():
    assert "no free place" in hard_rule_violation(
        Candidate(application_id=1, member_id=1, name="m", free_places=0), mentee(2)
    )
    assert "5 years" in hard_rule_violation(mentor(1, ineligible_reason="needs more than 5 years"), mentee(2))  # R3
    assert "already has a mentor" in hard_rule_violation(mentor(1), mentee(2, has_live_match=True))


def test_reasons_explain_the_score_in_words():
    suggestion = explain(
        mentor(1, topics=frozenset({7}), region="utrecht", meeting_preference=MeetingPreference.VIRTUAL),
        mentee(2, topics=frozenset({7}), region="utrecht", meeting_preference=MeetingPreference.VIRTUAL),
        {7: "btw"},
    )

    assert "both btw" in suggestion.reasons
    assert "same region (Utrecht)" in suggestion.reasons
    assert "wants to meet virtually, mentor too" in suggestion.reasons
    assert "mentor 15 years of experience" in suggestion.reasons


def test_more_in_common_scores_higher():
    plain = explain(mentor(1), mentee(2)).score
    shared = explain(mentor(1, topics=frozenset({1, 2})), mentee(2, topics=frozenset({1, 2}))).score
    clash = explain(
        mentor(1, meeting_preference=MeetingPreference.IN_PERSON),
        mentee(2, meeting_preference=MeetingPreference.VIRTUAL),
    ).score

    assert shared > plain > clash


def test_languages_are_read_from_free_text():
    assert parse_languages("Nederlands, Engels") == {"nederlands", "engels"}
    assert parse_languages("Nederlands en Duits") == {"nederlands", "duits"}


def _random_cycle(seed, mentors=12, mentees=25):
    rng = random.Random(seed)

    def common(pk):
        return {
            "application_id": pk,
            "member_id": pk,
            "name": str(pk),
            "organisation": f"kantoor {rng.randrange(4)}",
            "region": rng.choice(["utrecht", "zeeland", "limburg"]),
            "meeting_preference": rng.choice(list(MeetingPreference)),
            "topics": frozenset(rng.sample(range(6), rng.randint(0, 3))),
            "years": rng.randint(0, 30),
            "languages": rng.choice([frozenset({"nederlands"}), frozenset({"engels"})]),
        }

    mentor_list = [
        Candidate(
            **common(pk),
            free_places=rng.randint(0, 3),
            ineligible_reason="" if rng.random() > 0.1 else "too few years",
        )
        for pk in range(mentors)
    ]
    # Some members apply in both roles, so "not herself" is exercised too.
    # Some mentees name organisations they want no mentor from (a key nobody has included), and some had
    # a pair end early with a mentor of this cycle (or with someone no longer here).
    mentee_list = [
        Candidate(
            **common(pk),
            allow_same_organisation=rng.random() < 0.3,
            prefers_same_region=rng.random() < 0.5,
            has_live_match=rng.random() < 0.1,
            avoids=frozenset(f"kantoor {n}" for n in rng.sample(range(6), rng.choice([0, 0, 1, 2]))),
            former_mentors=frozenset(rng.sample([*range(mentors), 999], rng.choice([0, 0, 1, 2]))),
            # Her ranking (issue 25 §2), now and then of someone no longer in the cycle.
            choices=tuple(rng.sample([*range(mentors), 999], rng.choice([0, 1, 2, 3]))),
        )
        for pk in range(mentors - 3, mentors - 3 + mentees)
    ]
    return mentor_list, mentee_list


@pytest.mark.parametrize("seed", range(5))
def test_the_whole_cycle_table_agrees_with_the_explanation_of_each_pair(seed):
    mentors, mentees = _random_cycle(seed)

    table = score_table(mentors, mentees)

    for row, candidate in enumerate(mentees):
        for column, offered in enumerate(mentors):
            suggestion = explain(offered, candidate)
            assert table.allowed[row, column] == (suggestion is not None)
            if suggestion:
                assert table.score_of(row, column) == suggestion.score


def _compare_hard_rules(seed) -> dict[str, int]:
    """The scalar rules (hard_rule_violation) and the vectorised ones (score_rows), on every pair of a random
    cycle, scored whole and in blocks as the candidate set does: avoided organisations and former mentors too.

    Returns how many pairs only `avoids` or only `former_mentors` forbid."""
    mentors, mentees = _random_cycle(seed)
    prepared = prepare(mentors, mentees)
    blocks = [score_rows(prepared, start, min(start + 7, len(mentees))) for start in range(0, len(mentees), 7)]
    allowed = np.vstack([block_allowed for _scores, block_allowed in blocks])
    scores = np.vstack([block_scores for block_scores, _allowed in blocks])

    exercised = {"avoids": 0, "former_mentors": 0}
    for row, candidate in enumerate(mentees):
        for column, offered in enumerate(mentors):
            violation = hard_rule_violation(offered, candidate)
            assert allowed[row, column] == (not violation), (seed, row, column, violation)
            if not violation:
                assert scores[row, column] == explain(offered, candidate).score
            for rule in exercised:
                if violation and not hard_rule_violation(offered, replace(candidate, **{rule: frozenset()})):
                    exercised[rule] += 1
    table = score_table(mentors, mentees)
    assert (table.allowed == allowed).all()
    assert (table.scores == scores).all()
    return exercised


@pytest.mark.parametrize("seed", range(20))
def test_both_implementations_of_the_hard_rules_agree_on_every_pair(seed):
    _compare_hard_rules(seed)


def test_the_random_cycles_exercise_avoided_organisations_and_former_mentors():
    totals = {"avoids": 0, "former_mentors": 0}
    for seed in range(20):
        for rule, count in _compare_hard_rules(seed).items():
            totals[rule] += count
    assert totals["avoids"] >= 10 and totals["former_mentors"] >= 10, totals


@pytest.mark.parametrize("seed", range(5))
def test_the_optimal_proposal_never_breaks_a_hard_rule_and_respects_capacity(seed):
    mentors, mentees = _random_cycle(seed)
    table = score_table(mentors, mentees)

    pairs = optimal_assignment(table)

    assert pairs
    for row, column in pairs:
        assert not hard_rule_violation(mentors[column], mentees[row])
    assert len({row for row, _column in pairs}) == len(pairs)
    per_mentor = np.bincount([column for _row, column in pairs], minlength=len(mentors))
    assert all(per_mentor[column] <= mentor.free_places for column, mentor in enumerate(mentors))
    greedy = greedy_assignment(table)
    assert len(pairs) >= len(greedy)
    if len(pairs) == len(greedy):
        assert total_score(table, pairs) >= total_score(table, greedy)


def test_the_optimal_proposal_beats_greedy_where_greedy_is_wrong():
    # Anna suits both mentees best, but only Bea can be mentored by Carla (Dora works at Carla's firm).
    # Greedy gives Anna to Bea first and leaves Dora without a mentor; the optimum swaps.
    anna = mentor(1, topics=frozenset({1, 2}))
    carla = mentor(2, organisation="kantoor c")
    bea = mentee(3, topics=frozenset({1, 2}))
    dora = mentee(4, topics=frozenset({1}), organisation="kantoor c")
    table = score_table([anna, carla], [bea, dora])

    greedy = greedy_assignment(table)
    optimal = optimal_assignment(table)

    assert greedy == [(0, 0)]
    assert optimal == [(0, 1), (1, 0)]
    assert total_score(table, optimal) > total_score(table, greedy)


def test_the_optimal_proposal_beats_greedy_on_score_with_equal_numbers():
    # Greedy takes the single best cell (Anna–Bea, 2 topics) and pays for it with a clash elsewhere.
    anna = mentor(1, topics=frozenset({1, 2}), meeting_preference=MeetingPreference.VIRTUAL)
    carla = mentor(2, topics=frozenset({1}), meeting_preference=MeetingPreference.IN_PERSON)
    bea = mentee(3, topics=frozenset({1, 2}), meeting_preference=MeetingPreference.BOTH)
    dora = mentee(4, topics=frozenset({2}), meeting_preference=MeetingPreference.VIRTUAL)
    table = score_table([anna, carla], [bea, dora])

    greedy = greedy_assignment(table)
    optimal = optimal_assignment(table)

    assert len(greedy) == len(optimal) == 2
    assert total_score(table, optimal) > total_score(table, greedy)


def test_a_mentor_with_two_places_gets_two_mentees():
    table = score_table([mentor(1, free_places=2)], [mentee(2), mentee(3), mentee(4)])

    assert len(optimal_assignment(table)) == 2


@pytest.mark.parametrize("seed", range(12))
def test_preparing_again_after_a_change_scores_as_preparing_anew(seed):
    """The candidate set's update (issue 24) encodes again only the changed mentors and mentees: every cell
    then scores as a fresh `prepare` of the changed cycle, also with a topic, a language or an organisation
    nobody had, a new organisation to avoid and a new former mentor."""
    rng = random.Random(seed)
    mentors, mentees = _random_cycle(seed)
    prepared = prepare(mentors, mentees)
    others, other_mentees = _random_cycle(seed + 100)
    columns = rng.sample(range(len(mentors)), 3)
    rows = rng.sample(range(len(mentees)), 4)
    changed_mentors, changed_mentees = list(mentors), list(mentees)
    for column in columns:
        changed_mentors[column] = replace(
            others[column],
            application_id=mentors[column].application_id,
            member_id=mentors[column].member_id,
            topics=others[column].topics | {40 + column},
            organisation=rng.choice([f"kantoor {rng.randrange(6)}", "nieuw kantoor"]),
        )
    for row in rows:
        changed_mentees[row] = replace(
            other_mentees[row],
            application_id=mentees[row].application_id,
            member_id=mentees[row].member_id,
            languages=frozenset({"frans"}) if row % 2 else other_mentees[row].languages,
            avoids=other_mentees[row].avoids | {"nieuw kantoor"},
            former_mentors=other_mentees[row].former_mentors | {mentors[columns[0]].member_id},
        )

    again = prepare_again(prepared, changed_mentors, changed_mentees, columns=columns, rows=rows)

    fresh_scores, fresh_allowed = score_rows(prepare(changed_mentors, changed_mentees), 0, len(mentees))
    scores, allowed = score_block(again, slice(None), slice(None))
    assert (allowed == fresh_allowed).all()
    assert (scores[allowed] == fresh_scores[allowed]).all()
    # The changed columns alone, as the update scores them, and the prepared cycle it started from unchanged.
    column_scores, column_allowed = score_block(again, slice(None), np.array(columns))
    assert (column_allowed == fresh_allowed[:, columns]).all()
    assert (column_scores[column_allowed] == fresh_scores[:, columns][column_allowed]).all()
    before_scores, before_allowed = score_rows(prepared, 0, len(mentees))
    original_scores, original_allowed = score_rows(prepare(mentors, mentees), 0, len(mentees))
    assert (before_allowed == original_allowed).all()
    assert (before_scores == original_scores).all()
