"""Benchmark: score a cycle of 1,000 mentees and 500 mentors (capacity 2) and propose the optimal matching.

Run with `make bench` or `.venv/bin/python bench/matching.py`. The candidates are generated
in memory (the scoring works on plain values), so no database is touched. Prints the time
for all scores plus the optimal proposal (target: under 2 seconds), and the total score of
the optimal proposal against a greedy one on the same data.
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorprogramma.settings")

import django  # noqa: E402

django.setup()

from accounts.models import MeetingPreference, Region  # noqa: E402
from matching.scoring import Candidate, greedy_assignment, optimal_assignment, score_table, total_score  # noqa: E402

MENTEES, MENTORS, CAPACITY, TOPICS, ORGANISATIONS = 1000, 500, 2, 25, 120
LANGUAGES = [frozenset({"nederlands"}), frozenset({"nederlands", "engels"}), frozenset({"engels"})]


def generate(seed: int = 2027) -> tuple[list[Candidate], list[Candidate]]:
    rng = random.Random(seed)
    regions = [region.value for region in Region]
    meetings = [preference.value for preference in MeetingPreference]

    def person(pk, *, years, **extra):
        return Candidate(
            application_id=pk,
            member_id=pk,
            name=f"lid {pk}",
            organisation=f"kantoor {rng.randrange(ORGANISATIONS)}",
            region=rng.choice(regions),
            meeting_preference=rng.choice(meetings),
            topics=frozenset(rng.sample(range(TOPICS), rng.randint(1, 4))),
            years=years,
            languages=rng.choices(LANGUAGES, weights=[80, 18, 2])[0],
            **extra,
        )

    mentors = [person(pk, years=rng.randint(6, 35), free_places=CAPACITY) for pk in range(1, MENTORS + 1)]
    mentees = [
        person(
            pk,
            years=rng.randint(0, 12),
            allow_same_organisation=rng.random() < 0.2,
            prefers_same_region=rng.random() < 0.4,
        )
        for pk in range(MENTORS + 1, MENTORS + MENTEES + 1)
    ]
    return mentors, mentees


def main():
    mentors, mentees = generate()
    started = time.perf_counter()
    table = score_table(mentors, mentees)
    scored = time.perf_counter()
    optimal = optimal_assignment(table)
    finished = time.perf_counter()
    greedy = greedy_assignment(table)

    print(f"matching: {len(mentees)} mentees, {len(mentors)} mentors (capacity {CAPACITY}), {table.scores.size} pairs")
    print(f"  scores:           {scored - started:.3f} s")
    print(f"  optimal proposal: {finished - scored:.3f} s")
    print(f"  total:            {finished - started:.3f} s (target < 2 s)")
    print(f"  optimal: {len(optimal)} pairs, total score {total_score(table, optimal)}")
    print(f"  greedy:  {len(greedy)} pairs, total score {total_score(table, greedy)}")


if __name__ == "__main__":
    main()
