"""Benchmark: score a cycle of 1,000 mentees and 500 mentors (capacity 2) and propose the optimal matching.

Run with `make bench` or `.venv/bin/python bench/matching.py`. First the candidates are
generated in memory (the scoring works on plain values): the time for all scores plus the
optimal proposal (target: under 2 seconds), and the total score of the optimal proposal
against a greedy one on the same data. Then the same cycle is written to a throwaway SQLite
database, to time what the admin's proposal screen does: read the cycle, score, propose.
"""

import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorprogramma.settings_test")
# A throwaway database: the benchmark never touches a real one.
_DATABASE_DIR = tempfile.TemporaryDirectory(prefix="bench-matching-")
os.environ["DATABASE_URL"] = f"sqlite:///{_DATABASE_DIR.name}/bench.sqlite3"

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


def write_cycle(mentors: list[Candidate], mentees: list[Candidate]):
    """The generated candidates as real members, profiles and applications of one cycle."""
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Expertise, Profile, User, VerificationStatus
    from matching.models import Application, Cycle, Role

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    topics = Expertise.objects.bulk_create([Expertise(name=f"Onderwerp {n}") for n in range(TOPICS)])
    cycle = Cycle.objects.create(
        name="bench", applications_open=today, applications_close=today, planned_start=today, status="matching"
    )
    people = {c.member_id: c for c in mentors + mentees}
    users = User.objects.bulk_create(
        [User(email=f"lid{pk}@example.org", full_name=f"Lid {pk}", password="!") for pk in people]
    )
    user_by_key = dict(zip(people, users, strict=True))
    Profile.objects.bulk_create(
        [
            Profile(
                user=user_by_key[pk],
                membership_number=f"{100000 + pk}",
                membership_type="lid",
                confirms_female_member=True,
                organisation=c.organisation,
                job_title="Belastingadviseur",
                career_start_year=today.year - c.years,
                region=c.region,
                languages=", ".join(sorted(c.languages)),
                verification_status=VerificationStatus.VERIFIED,
                verified_at=timezone.now(),
            )
            for pk, c in people.items()
        ]
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                cycle=cycle,
                member=user_by_key[c.member_id],
                role=role,
                mentoring_question="Hoe groei ik door?" if role == Role.MENTEE else "",
                meeting_preference=c.meeting_preference,
                prefers_same_region=c.prefers_same_region,
                allow_same_organisation=c.allow_same_organisation,
                capacity=max(c.free_places, 1),
            )
            for role, group in ((Role.MENTOR, mentors), (Role.MENTEE, mentees))
            for c in group
        ]
    )
    through = Application.topics.through
    through.objects.bulk_create(
        [
            through(application_id=application.pk, expertise_id=topics[topic].pk)
            for application, c in zip(applications, mentors + mentees, strict=True)
            for topic in c.topics
        ]
    )
    return cycle


def time_from_database(mentors: list[Candidate], mentees: list[Candidate]) -> None:
    from matching.selectors import cycle_candidates

    cycle = write_cycle(mentors, mentees)
    started = time.perf_counter()
    db_mentors, db_mentees, _topic_names = cycle_candidates(cycle=cycle)
    read = time.perf_counter()
    table = score_table(db_mentors, db_mentees)
    pairs = optimal_assignment(table)
    finished = time.perf_counter()
    print("  from the database (throwaway SQLite), as on the admin's proposal screen:")
    print(f"    read {len(db_mentees)} mentees and {len(db_mentors)} mentors: {read - started:.3f} s")
    print(f"    scores + optimal proposal:     {finished - read:.3f} s ({len(pairs)} pairs)")
    print(f"    total:                         {finished - started:.3f} s")


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
    time_from_database(mentors, mentees)


if __name__ == "__main__":
    main()
