"""Benchmark: the mentees' choices under the optimum versus first come, first served (issue 25 §2).

Run with `make bench` or `.venv/bin/python bench/choices.py`. The cycle of bench/matching.py
(1,000 mentees, 500 mentors with 2 places each) with random but plausible preferences: every mentee
ranks three mentors from her 15 best allowed fits, drawn by the mentors' popularity (a few mentors
are asked by many, as on any platform where mentees choose).

- optimum: the proposal's solver on the scores with the choice bonus (matching/scoring.py);
- first come, first served: the mentees arrive in random order and each gets her highest-ranked
  mentor who still has a place (Together, PushFar, …); whoever is left is then matched by the same
  optimum on the places left, so the comparison is only about who gets her choices.

Each line: one figure with its comparison or target.
"""

import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorprogramma.settings_test")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from bench.matching import generate  # noqa: E402
from matching import solver  # noqa: E402
from matching.scoring import ScoreTable, optimal_assignment, score_table, total_score  # noqa: E402

CHOICES, FROM_BEST = 3, 15


def with_preferences(mentors, mentees, seed: int = 25):
    """Every mentee ranks three of her best allowed mentors, drawn by popularity."""
    rng = random.Random(seed)  # noqa: S311 - made-up, reproducible data
    popularity = [rng.lognormvariate(0, 1) for _mentor in mentors]
    table = score_table(mentors, mentees)
    ranked = []
    for row, mentee in enumerate(mentees):
        allowed = np.flatnonzero(table.allowed[row])
        best = allowed[np.argsort(-table.scores[row, allowed], kind="stable")][:FROM_BEST].tolist()
        picks = []
        while best and len(picks) < CHOICES:
            column = rng.choices(best, weights=[popularity[c] for c in best])[0]
            best.remove(column)
            picks.append(mentors[column].application_id)
        ranked.append(replace(mentee, choices=tuple(picks)))
    return ranked


def first_come_first_served(table: ScoreTable, seed: int = 7) -> list[tuple[int, int]]:
    """In random arrival order each mentee takes her best-ranked mentor with a place; the rest by the optimum."""
    rng = random.Random(seed)  # noqa: S311
    column_of = {mentor.application_id: column for column, mentor in enumerate(table.mentors)}
    free = [mentor.free_places for mentor in table.mentors]
    order = list(range(len(table.mentees)))
    rng.shuffle(order)
    pairs = []
    for row in order:
        for pk in table.mentees[row].choices:
            column = column_of.get(pk)
            if column is not None and free[column] > 0 and table.allowed[row, column]:
                free[column] -= 1
                pairs.append((row, column))
                break
    taken = {row for row, _column in pairs}
    rest_rows = [row for row in range(len(table.mentees)) if row not in taken]
    rest = ScoreTable(
        mentors=[replace(mentor, free_places=places) for mentor, places in zip(table.mentors, free, strict=True)],
        mentees=[table.mentees[row] for row in rest_rows],
        scores=table.scores[rest_rows],
        allowed=table.allowed[rest_rows],
    )
    pairs += [(rest_rows[row], column) for row, column in optimal_assignment(rest)]
    return sorted(pairs)


def honoured(table: ScoreTable, pairs) -> tuple[int, int]:
    """(mentees given one of their ranked mentors, mentees given their first choice)."""
    ranked = first = 0
    for row, column in pairs:
        choices = table.mentees[row].choices
        pk = table.mentors[column].application_id
        ranked += pk in choices
        first += bool(choices) and choices[0] == pk
    return ranked, first


def main():
    mentors, mentees = generate()
    mentees = with_preferences(mentors, mentees)
    table = score_table(mentors, mentees)
    started = time.perf_counter()
    optimum = solver.propose(mentors, mentees).pairs
    seconds = time.perf_counter() - started
    fcfs = first_come_first_served(table)
    n = len(mentees)
    label = f"choices {n:,} x {len(mentors):,} (capacity 2, 3 choices each)"
    opt_ranked, opt_first = honoured(table, optimum)
    fcfs_ranked, fcfs_first = honoured(table, fcfs)
    print(
        f"{label}: mentees given a ranked mentor: optimum {opt_ranked / n:.1%} vs first come, first served "
        f"{fcfs_ranked / n:.1%} (target: optimum >= first come, first served)"
    )
    print(
        f"{label}: mentees given their first choice: optimum {opt_first / n:.1%} vs first come, first served "
        f"{fcfs_first / n:.1%} (target: optimum >= first come, first served)"
    )
    print(
        f"{label}: total score with the choice bonus: optimum {total_score(table, optimum)} vs first come, first "
        f"served {total_score(table, fcfs)} (target: optimum >= first come, first served)"
    )
    print(f"{label}: pairs: optimum {len(optimum)} vs first come, first served {len(fcfs)} (of {n} mentees)")
    print(f"{label}: optimum with choices computed in {seconds:.2f} s (for comparison: bench/matching.py, < 2 s)")


if __name__ == "__main__":
    main()
