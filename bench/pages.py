"""Benchmark: what users feel on the 10,000-member data set, as CPU per request (issue 24).

Run with `make bench` or `.venv/bin/python bench/pages.py`. It (re)creates a throwaway
PostgreSQL database (BENCH_PAGES_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/mp_bench_pages), fills it with
`manage.py seed_scale --members 10000` and then, under bench.settings_bench, asks
every page through Django's test client in this one process: its queries (one request, counted)
and its CPU per request (time.process_time around the request, median over about a second and a half).

CPU per request is stable on a shared machine; wall-clock requests per second are not. Each figure
reads against a reference of the same run: a participant page as a share of the authenticated floor
(`/bench/floor/`: logged in, the base layout, nothing of its own; target >= 40 %), a large admin list
as a share of an empty change list (the matches list filtered to no row; target >= 40 %). Beside
them the cockpit's CPU (`cockpit, N members: N ms`, target <= 50) and the Koppelscherm's first
request after a profile save and after a confirmed pair (`koppelscherm after a change, N members:
N ms`, target < 500). The load average is printed before and after. One figure a line with its target.

Set BENCH_MEMBERS for another size (BENCH_PAGES_DATABASE_URL for another database),
BENCH_KEEP_DATABASE=1 to reuse a seeded database. Without PostgreSQL it says why and exits 0.

The year report of the running cycle (issue 27): `year report, N members: N ms (target <= 2000)`, wall
clock, and its queries (target <= 20). `bench/pages.py year-report` seeds and measures only that.
"""

import contextlib
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[0] = str(BASE_DIR)

from bench.support import bench_coordinator, login_with_second_factor  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
DATABASE_URL = os.environ.get("BENCH_PAGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mp_bench_pages")
KEEP = os.environ.get("BENCH_KEEP_DATABASE") == "1"
LOOP_SECONDS = float(os.environ.get("BENCH_LOOP_SECONDS", "1.5"))
# `bench/pages.py year-report`: only the year report's lines (after seeding), not every page.
ONLY_YEAR_REPORT = sys.argv[1:] == ["year-report"]


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
    times, cpu = [], []
    deadline = time.perf_counter() + LOOP_SECONDS
    while time.perf_counter() < deadline or len(times) < 3:
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        cpu.append(time.process_time() - started_cpu)
        times.append(time.perf_counter() - started)
    return {
        "queries": query_count,
        "median_ms": statistics.median(times) * 1000,
        # CPU of this process per request (middleware, views, templates, reading the rows): stable on a
        # shared machine, where wall-clock time and requests per second swing with the other work.
        "cpu_ms": statistics.median(cpu) * 1000,
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

    from matching.models import Cycle, Match

    coordinator = bench_coordinator()
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
    members = f"{MEMBERS:,} members"
    if ONLY_YEAR_REPORT:
        login_with_second_factor(client, coordinator)
        print(f"load average before measuring: {load()}")
        year_report(client, running, members)
        return
    print(f"pages, {members} (PostgreSQL, in-process test client, CPU per request by time.process_time):")
    print(f"load average while measuring: {load()} (the machine is shared; CPU per request is the figure to compare)")
    client.force_login(mentor)
    trivial = measure(client, "/bench/trivial/")
    floor = measure(client, "/bench/floor/")
    print(f"trivial view, {members}: {trivial['cpu_ms']:.1f} ms CPU (informational)")
    print(
        f"authenticated floor (login + base layout), {members}: {floor['cpu_ms']:.1f} ms CPU, "
        f"{floor['queries']} queries (the reference for the participant pages)"
    )
    for name, user, url in participant_pages:
        client.force_login(user)
        figure = measure(client, url)
        share = floor["cpu_ms"] / figure["cpu_ms"] * 100
        print(f"{name}, {members}: {figure['queries']} queries (target <= 12)")
        print(
            f"{name}, {members}: {figure['cpu_ms']:.1f} ms CPU, "
            f"{share:.0f} % of the authenticated floor (target >= 40 %)"
        )

    login_with_second_factor(client, coordinator)
    from matching import proposals as matching_proposals

    started = time.perf_counter()
    proposal = matching_proposals.matching_proposal_start(cycle=matching_cycle, by=coordinator)  # runs in-process
    proposal.refresh_from_db()
    print(
        f"proposal job, {members}' open cycle: {time.perf_counter() - started:.1f} s in the worker, "
        f"{proposal.pair_count} pairs by the {proposal.method} solver (informational; the page only reads the result)"
    )
    cockpit = measure(client, "/coordinatie/")
    print(
        f"cockpit, {members}: {cockpit['cpu_ms']:.0f} ms (target <= 50; CPU per request, {cockpit['queries']} queries, "
        f"{cockpit['median_ms']:.0f} ms wall clock; load average {load()})"
    )
    year_report(client, running, members)
    koppelscherm_after_a_change(client, coordinator, matching_cycle, members)

    empty = measure(client, EMPTY_CHANGE_LIST)
    print(f"empty change list, {members}: {empty['cpu_ms']:.1f} ms CPU (the reference for the admin lists)")
    for name, url, target_ms in coordinator_pages:
        figure = measure(client, url)
        print(f"{name}, {members}: {figure['queries']} queries")
        if target_ms:
            print(f"{name}, {members}: {figure['median_ms']:.0f} ms median (target < {target_ms} ms)")
            print(f"{name}, {members}: {figure['bytes'] / 1024:.0f} KB HTML (target < 300 KB)")
            print(f"{name}, {members}: {figure['cpu_ms']:.0f} ms CPU")
        else:
            share = empty["cpu_ms"] / figure["cpu_ms"] * 100
            print(
                f"{name}, {members}: {figure['cpu_ms']:.1f} ms CPU, "
                f"{share:.0f} % of the empty change list (target >= 40 %)"
            )
    print(f"load average after measuring: {load()}")


def year_report(client, cycle, members: str) -> None:
    """The year report of the running cycle, beside the finished one (issue 27): the page within 2 s and
    20 queries, wall clock (its time is mostly the database's counting, which CPU per request misses)."""
    url = f"/coordinatie/jaarverslag/{cycle.pk}/"
    page = measure(client, url)
    print(
        f"year report, {members}: {page['median_ms']:.0f} ms (target <= 2000; wall clock, median; "
        f"{page['cpu_ms']:.0f} ms CPU; load average {load()})"
    )
    print(f"year report, {members}: {page['queries']} queries (target <= 20)")
    for name, suffix in (("PDF", "jaarverslag.pdf"), ("CSV", "jaarverslag.csv")):
        figure = measure(client, url + suffix)
        print(f"year report {name}, {members}: {figure['median_ms']:.0f} ms wall clock (informational)")


# The same admin as the large matches list, filtered to no row at all.
EMPTY_CHANGE_LIST = "/admin/matching/match/?q=bench-no-such-pair"


def load() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def koppelscherm_after_a_change(client, coordinator, cycle, members: str) -> None:
    """The Koppelscherm's first request after a profile save and after a confirmed pair: CPU and wall clock."""
    from matching import services as matching_services
    from matching import suggestions
    from matching.models import Application, Role

    url = f"/admin/matching/cycle/{cycle.pk}/matching/"
    assert client.get(url).status_code == 200  # the stored set exists (computed by the job in-process)
    figures = []
    mentor = (
        Application.objects.filter(cycle=cycle, role=Role.MENTOR, status=Application.Status.SUBMITTED)
        .select_related("member__profile")
        .order_by("pk")
        .first()
    )
    profile = mentor.member.profile
    profile.career_start_year = (profile.career_start_year or 2000) - 1
    profile.save()
    figures.append(("a mentor's profile saved", timed(client, url)))
    mentee_id, best = next((pk, best) for pk, best in suggestions.candidate_set(cycle).suggestions.items() if best)
    mentee = Application.objects.get(pk=mentee_id)
    with contextlib.redirect_stdout(io.StringIO()):  # the pair's e-mails go to the console backend
        matching_services.match_confirm(
            mentor_application=Application.objects.get(pk=best[0][0]),
            mentee_application=mentee,
            by=coordinator,
            before_window_closes=True,
        )
    figures.append(("a pair confirmed", timed(client, url)))
    if suggestions.candidate_set(cycle).updating:
        print("koppelscherm after a change: the change was not applied in place (the page showed the last set)")
    worst = max(cpu for _name, (cpu, _wall) in figures)
    print(
        f"koppelscherm after a change, {members}: {worst:.0f} ms "
        f"(target < 500; CPU of the first request after it; load average {load()})"
    )
    for name, (cpu, wall) in figures:
        print(f"koppelscherm after {name}, {members}: {cpu:.0f} ms CPU, {wall:.0f} ms wall clock (informational)")


def timed(client, url: str) -> tuple[float, float]:
    started, started_cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return cpu * 1000, wall * 1000


if __name__ == "__main__":
    main()
