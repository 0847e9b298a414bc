"""Benchmark: evaluations at scale on PostgreSQL (issue 17).

It builds a throwaway PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/mp_bench_evaluations) and measures:

1. ``invitations_ensure`` for a round of 100,000 participants (50,000 pairs): target < 10 s.
2. Publication of 10,000 sealed ballots (open, shuffle, insert, delete, vacuum): printed, no target.
3. The coordinator's results page and the CSV export of that round, 10,000 published responses
   with the default questions (a third with open answers): median server time over 7 requests
   through the real admin views, target < 300 ms each.

One figure a line with its unit and target, so a script can read them. Without PostgreSQL it
says why and exits 0.
"""

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Run as `python bench/evaluations.py`: this file must not shadow the evaluations app.
sys.path[0] = str(BASE_DIR)

INVITED_PAIRS = 50_000
RESPONSES = 10_000
INVITATIONS_TARGET_S = 10
PAGE_TARGET_MS = 300
REPEAT = 7
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mp_bench_evaluations")


def median_ms(call) -> tuple[float, float]:
    """Median wall-clock and median CPU time of this process (Python's share), in ms."""
    wall, cpu = [], []
    for _n in range(REPEAT):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> int:
    from bench.support import bulk_pairs, fresh_postgresql_database

    reason = fresh_postgresql_database(DATABASE_URL)
    if reason:
        print(f"bench/evaluations.py skipped: {reason}")
        return 0
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mentorprogramma.settings",
        DATABASE_URL=DATABASE_URL,
        LOG_LEVEL="WARNING",
        DEBUG="false",
        # As in production: the service records the mails and a worker delivers them later; in-process
        # delivery would time 100,000 console e-mails instead of the service.
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    os.environ.pop("CACHE_URL", None)
    import django

    django.setup()
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.contrib import admin
    from django.core.management import call_command
    from django.test import RequestFactory
    from django.utils import timezone

    from accounts.models import User
    from evaluations import sealing, services
    from evaluations.models import EvaluationRound, Invitation, Question, Receipt, Response, SealedBallot

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    rng = random.Random(2027)

    print(f"Preparing {2 * INVITED_PAIRS:,} participants ({INVITED_PAIRS:,} pairs)...")
    cycle, users = bulk_pairs(INVITED_PAIRS, today=today)
    big_round = EvaluationRound.objects.create(
        cycle=cycle, name="Grote ronde", opens_on=today, closes_on=today + datetime.timedelta(days=28)
    )

    started = time.perf_counter()
    invited = services.invitations_ensure(round=big_round)
    invitations_s = time.perf_counter() - started
    assert invited == 2 * INVITED_PAIRS, invited
    started = time.perf_counter()
    again = services.invitations_ensure(round=big_round)
    again_s = time.perf_counter() - started
    assert again == 0, again
    print(
        f"invitations_ensure, {invited:,} invitations: {invitations_s:.1f} s "
        f"(target < {INVITATIONS_TARGET_S} s: {verdict(invitations_s < INVITATIONS_TARGET_S)})"
    )
    print(f"invitations_ensure again, nothing new: {again_s:.1f} s")

    # A round that has closed, with 10,000 sealed ballots from the default questions.
    closed_round = EvaluationRound.objects.create(
        cycle=cycle,
        name="Gesloten ronde",
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=1),
    )
    services.round_add_default_questions(round=closed_round)
    questions = list(closed_round.questions.all())
    texts = ["Meer netwerkbijeenkomsten graag.", "Heel waardevol jaar.", "Vaker afspreken in het begin."]

    def answers(role):
        given = {}
        for question in questions:
            if not question.is_asked_of(role):
                continue
            if question.kind == Question.Kind.SCALE:
                given[str(question.pk)] = rng.randint(1, 5)
            elif question.kind == Question.Kind.SINGLE_CHOICE:
                given[str(question.pk)] = rng.randint(1, len(question.option_list("nl")))
            elif question.kind == Question.Kind.MULTIPLE_CHOICE:
                options = range(1, len(question.option_list("nl")) + 1)
                given[str(question.pk)] = sorted(rng.sample(options, rng.randint(1, 2)))
            elif rng.random() < 0.33:
                given[str(question.pk)] = f"{rng.choice(texts)} ({rng.randrange(10**6)})"
        return given

    # Its invitations and receipts, so the response rate counts what a real round has.
    Invitation.objects.bulk_create(
        [Invitation(round=closed_round, user=user, role="mentor") for user in users[: RESPONSES + RESPONSES // 5]],
        batch_size=5000,
    )
    Receipt.objects.bulk_create(
        [Receipt(invitation_id=pk) for pk in closed_round.invitations.values_list("pk", flat=True)[:RESPONSES]],
        batch_size=5000,
    )
    size = sealing.ballot_size(questions)  # every ballot padded to the round's longest possible payload
    SealedBallot.objects.bulk_create(
        [
            SealedBallot(round=closed_round, sealed=sealing.seal(role=role, answers=answers(role), size=size))
            for role in (["mentor", "mentee"] * (RESPONSES // 2))
        ],
        batch_size=2000,
    )
    started = time.perf_counter()
    report = services.rounds_publish_closed(day=today)
    publish_s = time.perf_counter() - started
    assert report.published == {str(closed_round): RESPONSES}, report
    assert Response.objects.filter(round=closed_round).count() == RESPONSES
    print(f"publication of {RESPONSES:,} sealed ballots (open, shuffle, insert, delete, vacuum): {publish_s:.1f} s")

    coordinator = User.objects.create_superuser(email="coordinator@bench.example.org", password="!")
    round_admin = admin.site._registry[EvaluationRound]
    factory = RequestFactory()

    def page():
        request = factory.get("/")
        request.user = coordinator
        response = round_admin.results_view(request, closed_round.pk)
        assert response.status_code == 200 and b"Gemiddelde" in response.content
        return response

    def csv():
        request = factory.get("/")
        request.user = coordinator
        # The export asks for the password again (issue 13): as if she just gave it.
        request.session = {
            AUTHENTICATION_METHODS_SESSION_KEY: [
                {"method": "password", "at": time.time(), "email": coordinator.email, "reauthenticated": True}
            ],
            _AUTHENTICATION_METHODS_USER_SESSION_KEY: str(coordinator.pk),
        }
        response = round_admin.results_csv_view(request, closed_round.pk)
        assert response.status_code == 200 and b"gemiddelde" in response.content

    page()  # warm up templates and translations
    page_ms, page_cpu = median_ms(page)
    csv_ms, csv_cpu = median_ms(csv)
    size_kb = len(page().content) / 1024
    print(
        f"evaluation results page, {RESPONSES:,} responses: {page_ms:.0f} ms median, {size_kb:.0f} KB "
        f"(target < {PAGE_TARGET_MS} ms: {verdict(page_ms < PAGE_TARGET_MS)}; of which Python CPU {page_cpu:.0f} ms)"
    )
    print(
        f"evaluation results CSV, {RESPONSES:,} responses: {csv_ms:.0f} ms median "
        f"(target < {PAGE_TARGET_MS} ms: {verdict(csv_ms < PAGE_TARGET_MS)}; of which Python CPU {csv_cpu:.0f} ms)"
    )
    load = os.getloadavg()[0]
    # On a shared, busy machine the wall clock says more about the neighbours than about us.
    print(f"  (load average {load:.1f} on {os.cpu_count()} cores while measuring)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
