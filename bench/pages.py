"""Benchmark: participant and coordinator pages on the 10,000-member data set, beside a trivial view.

Run with `make bench` or `.venv/bin/python bench/pages.py`. It (re)creates a throwaway
PostgreSQL database (BENCH_PAGES_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/mp_bench_pages), fills it with
`manage.py seed_scale --members 10000` and then, under bench.settings_bench, asks
every page through Django's test client in this one process:

- its queries (one request, counted);
- its median server time (request in, response out: middleware, views, templates, queries);
- its requests per second, one after the other for about a second and a half;

beside the trivial view (`/bench/trivial/`: logged in, same middleware, no queries of its own)
measured in the same run, so each figure also reads as a share of the trivial view's
throughput. One figure a line with its unit and target, so a script can read them.

The machine is shared (2 cores, other work running at the same time): compare pages with the
trivial view of the same run rather than with absolute numbers of another day.
Set BENCH_MEMBERS for another size, BENCH_KEEP_DATABASE=1 to reuse a seeded database.
Without PostgreSQL it says why and exits 0.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[0] = str(BASE_DIR)

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
DATABASE_URL = os.environ.get("BENCH_PAGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mp_bench_pages")
KEEP = os.environ.get("BENCH_KEEP_DATABASE") == "1"
LOOP_SECONDS = float(os.environ.get("BENCH_LOOP_SECONDS", "1.5"))


def prepare_database() -> str | None:
    """A fresh database with the scale data set; the reason it cannot, or None."""
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed"
    name = urlparse(DATABASE_URL).path.lstrip("/")
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        conn = psycopg2.connect(admin_url, connect_timeout=3)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
            if exists and not KEEP:
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = False
            if not exists:
                cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()
    except psycopg2.Error as exc:
        return f"PostgreSQL is not reachable at {admin_url}: {exc}"
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "DJANGO_SETTINGS_MODULE": "mentorprogramma.settings"}
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run([*manage, "seed_scale", "--members", str(MEMBERS)], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"seed_scale, {MEMBERS:,} members: {time.perf_counter() - started:.1f} s (informational)")
    return None


def setup_django():
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    # In-process: no broker for this benchmark, the proposal job runs in the worker's place.
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CACHE_URL", None)
    import django

    django.setup()


def measure(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm up (templates, caches, session)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Counted now: the requests below reset the connection's query log.
    query_count = len(queries)
    size = len(response.content)
    times = []
    deadline = time.perf_counter() + LOOP_SECONDS
    while time.perf_counter() < deadline or len(times) < 3:
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return {
        "queries": query_count,
        "median_ms": statistics.median(times) * 1000,
        "rps": len(times) / sum(times),
        "bytes": size,
    }


def main():
    reason = prepare_database()
    if reason:
        print(f"pages: skipped ({reason})")
        return
    setup_django()
    from django.test import Client

    from accounts.models import User
    from matching.models import Cycle, Match

    coordinator, _created = User.objects.get_or_create(
        email="bench-coordinator@schaal.example.org",
        defaults={"full_name": "Bench coördinator", "is_staff": True, "is_superuser": True},
    )
    # Coordinators have a second factor (issue 13): without one the admin sends her to set it up.
    from core.mfa import DEMO_TOTP_SECRET, totp_activate

    totp_activate(user=coordinator, secret=DEMO_TOTP_SECRET)
    running = Cycle.objects.get(name="Schaal lopend")
    matching_cycle = Cycle.objects.get(name="Schaal koppelen")
    # A mentor with a full history: pairs in the finished and the running cycle.
    pair = (
        Match.objects.filter(
            cycle=running, status=Match.Status.ACTIVE, mentor__matches_as_mentor__cycle__name="Schaal afgerond"
        )
        .order_by("pk")
        .first()
    )
    mentor, mentee = pair.mentor, pair.mentee

    participant_pages = [
        ("mentor dashboard", mentor, "/overzicht/"),
        ("mentee dashboard", mentee, "/overzicht/"),
        ("programme page (mentor)", mentor, "/programma/"),
        ("pair page (mentor)", mentor, f"/programma/mentorschap/{pair.pk}/"),
        ("pair page (mentee)", mentee, f"/programma/mentorschap/{pair.pk}/"),
        ("meetings of the pair (mentee)", mentee, f"/afspraken/paar/{pair.pk}/"),
    ]
    coordinator_pages = [
        ("koppelscherm", f"/admin/matching/cycle/{matching_cycle.pk}/matching/", 1000),
        (
            "koppelscherm page 20, unmatched only",
            f"/admin/matching/cycle/{matching_cycle.pk}/matching/?p=20&ongekoppeld=1",
            1000,
        ),
        ("proposal review page", f"/admin/matching/cycle/{matching_cycle.pk}/matching/voorstel/", 1000),
        ("admin outbox list", "/admin/notifications/outboxmessage/", None),
        ("admin profiles list", "/admin/accounts/profile/", None),
        ("admin matches list", "/admin/matching/match/", None),
        ("admin applications list", "/admin/matching/application/", None),
        ("admin pair meeting statistics", "/admin/meetings/pairmeetingstatistics/", None),
    ]

    client = Client()
    print(f"pages, {MEMBERS:,} members (PostgreSQL, in-process test client, 2-core machine shared with other work):")
    client.force_login(mentor)
    trivial = measure(client, "/bench/trivial/")
    members = f"{MEMBERS:,} members"
    print(
        f"trivial view, {members}: {trivial['median_ms']:.1f} ms median, {trivial['rps']:.0f} requests/s "
        "(the reference for the shares below)"
    )
    for name, user, url in participant_pages:
        client.force_login(user)
        figure = measure(client, url)
        share = figure["rps"] / trivial["rps"] * 100
        print(f"{name}, {members}: {figure['queries']} queries (target <= 12)")
        print(f"{name}, {members}: {figure['median_ms']:.1f} ms median")
        print(f"{name}, {members}: {figure['rps']:.0f} requests/s, {share:.0f} % of the trivial view (target >= 25 %)")

    client.force_login(coordinator)
    from matching import proposals as matching_proposals
    from matching import suggestions

    started = time.perf_counter()
    proposal = matching_proposals.matching_proposal_start(cycle=matching_cycle, by=coordinator)  # runs in-process
    proposal.refresh_from_db()
    print(
        f"proposal job, {MEMBERS:,} members' open cycle: {time.perf_counter() - started:.1f} s in the worker, "
        f"{proposal.pair_count} pairs by the {proposal.method} solver (informational; the page only reads the result)"
    )
    suggestions.invalidate()
    started = time.perf_counter()
    response = client.get(f"/admin/matching/cycle/{matching_cycle.pk}/matching/")
    assert response.status_code == 200, response.status_code
    print(
        f"koppelscherm after a change (candidate set recomputed), {MEMBERS:,} members: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms (informational; once per change)"
    )
    coordinator_trivial = measure(client, "/bench/trivial/")
    print(
        f"trivial view (coordinator), {members}: {coordinator_trivial['median_ms']:.1f} ms median, "
        f"{coordinator_trivial['rps']:.0f} requests/s"
    )
    for name, url, target_ms in coordinator_pages:
        figure = measure(client, url)
        share = figure["rps"] / coordinator_trivial["rps"] * 100
        print(f"{name}, {members}: {figure['queries']} queries")
        if target_ms:
            print(f"{name}, {members}: {figure['median_ms']:.0f} ms median (target < {target_ms} ms)")
            print(f"{name}, {members}: {figure['bytes'] / 1024:.0f} KB HTML (target < 300 KB)")
            print(f"{name}, {members}: {figure['rps']:.1f} requests/s, {share:.1f} % of the trivial view")
        else:
            print(f"{name}, {members}: {figure['median_ms']:.0f} ms median")
            print(
                f"{name}, {members}: {figure['rps']:.1f} requests/s, {share:.1f} % of the trivial view (target >= 10 %)"
            )


if __name__ == "__main__":
    main()
