"""Benchmark: member pages under an evening peak, as the members feel it (issue 24).

Run with `make bench` or `.venv/bin/python bench/load.py`. It fills a throwaway PostgreSQL
database (BENCH_LOAD_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/mp_bench_load) with
`manage.py seed_scale --members 10000`, starts gunicorn as production runs it (DJANGO_ENV=production,
deploy/gunicorn.conf.py: the gthread worker class, the members' pool and the coordinators' pool, kept
database connections) on a free local port, logs 200 members in (their own sessions), and then
keeps 20 and then 50 connections busy for 60 s each. Every connection plays members in turn: her
dashboard, her programme page, her pair page and the pair's meetings, one request after the other,
as a browser on a fast link would.

It prints one figure a line with its target: p50, p95 and p99 latency and the error count per
run, with the machine's load average beside it. During the 20-connection run a coordinator changes a
mentor's profile a few times and opens the Koppelscherm right after each change, through the same
gunicorn (`koppelscherm after a change under the member load`, wall clock, target < 500 ms). That needs
the cache the web processes share, as in production: Redis (BENCH_LOAD_REDIS_URL, default
redis://127.0.0.1:6379/12 for the broker and database 13 for the cache, both emptied first); without
Redis that line says why it is skipped and the member pages run with each process's own memory.
The load generator runs on the same 2-core machine as the server (in 2 processes), so the figures
include its share of the CPU.
Set BENCH_MEMBERS, BENCH_LOAD_SECONDS, BENCH_KEEP_DATABASE=1 (reuse a seeded database).
Without PostgreSQL or gunicorn it says why and exits 0.
"""

import http.client
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[0] = str(BASE_DIR)

from bench.support import fresh_postgresql_database  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
SESSIONS = int(os.environ.get("BENCH_LOAD_SESSIONS", "200"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
DATABASE_URL = os.environ.get("BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mp_bench_load")
REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/12")
KOPPELSCHERM_CHANGES = 5  # changes during the 20-connection run, each followed by one Koppelscherm request
KEEP = os.environ.get("BENCH_KEEP_DATABASE") == "1"
CLIENT_PROCESSES = 2
TARGETS = {20: (300, 600), 50: (800, None)}  # connections: (p95 target, p99 target) in ms


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shared_redis() -> tuple[str, str] | None:
    """The broker's and the cache's Redis URLs (databases N and N + 1), emptied; None without Redis."""
    import redis

    broker = REDIS_URL.rstrip("/")
    base, _slash, number = broker.rpartition("/")
    cache = f"{base}/{int(number) + 1}"
    try:
        for url in (broker, cache):
            redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.RedisError:
        return None
    return broker, cache


def production_environment(port: int, redis_urls: tuple[str, str] | None) -> dict:
    from cryptography.fernet import Fernet

    broker, cache = redis_urls or ("", "")
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "mentorprogramma.settings",
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "MEETING_NOTES_KEYS": Fernet.generate_key().decode(),
        "EVALUATION_SEAL_KEYS": Fernet.generate_key().decode(),
        "LOG_LEVEL": "WARNING",
        # As in production, the web processes share a cache in Redis (the Koppelscherm's candidate set).
        # No Celery worker runs: a page view sends no mail, and a change this benchmark makes is applied
        # in the request, never left to the background job.
        "REDIS_URL": broker,
        "CACHE_URL": cache,
    }


def seed(env: dict) -> str | None:
    if not KEEP or _database_is_empty():
        reason = fresh_postgresql_database(DATABASE_URL)
        if reason:
            return reason
        development = {**env, "DJANGO_ENV": "development"}
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=development, check=True)
        started = time.perf_counter()
        subprocess.run(
            [*manage, "seed_scale", "--members", str(MEMBERS)], env=development, check=True, stdout=subprocess.DEVNULL
        )
        print(f"seed_scale, {MEMBERS:,} members: {time.perf_counter() - started:.1f} s (informational)")
    return None


def _database_is_empty() -> bool:
    import psycopg2

    try:
        conn = psycopg2.connect(DATABASE_URL, connect_timeout=3)
    except psycopg2.Error:
        return True
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.accounts_user') IS NULL")
        (empty,) = cursor.fetchone()
    conn.close()
    return empty


def member_sessions(env: dict) -> list[tuple[str, list[str]]]:
    """200 members with a pair, each logged in with her own session: (session cookie, her pages)."""
    os.environ.update({key: env[key] for key in ("DJANGO_ENV", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS")})
    os.environ.update({key: env[key] for key in ("SITE_URL", "MEETING_NOTES_KEYS", "EVALUATION_SEAL_KEYS")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "mentorprogramma.settings"
    for key in ("REDIS_URL", "CACHE_URL"):
        if env[key]:
            os.environ[key] = env[key]
        else:
            os.environ.pop(key, None)
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from matching.models import Match

    pairs = list(
        Match.objects.filter(status=Match.Status.ACTIVE)
        .select_related("mentor", "mentee")
        .order_by("pk")[: SESSIONS // 2]
    )
    sessions = []
    client = Client()
    for pair in pairs:
        pages = ["/overzicht/", "/programma/", f"/programma/mentorschap/{pair.pk}/", f"/afspraken/paar/{pair.pk}/"]
        for member in (pair.mentor, pair.mentee):
            client.force_login(member)
            sessions.append((client.cookies[settings.SESSION_COOKIE_NAME].value, pages))
            client.cookies.clear()
    return sessions


def collectstatic(env: dict) -> None:
    """As a release does: the hashed static files production's pages name."""
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v0"], env=env, check=True
    )


def coordinators_nice() -> int:
    """The coordinators' pool's CPU priority, as its systemd unit sets it (BENCH_COORDINATORS_NICE to try another)."""
    if "BENCH_COORDINATORS_NICE" in os.environ:
        return int(os.environ["BENCH_COORDINATORS_NICE"])
    unit = (BASE_DIR / "deploy" / "systemd" / "mentorprogramma-web-coordinators.service").read_text()
    return int(next(line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("Nice=")))


def start_gunicorn(env: dict, port: int, pool: str = "members") -> subprocess.Popen | None:
    """One of production's two pools (deploy/gunicorn.conf.py) on `port`; None without gunicorn.

    The coordinators' pool runs at production's higher CPU priority (Nice= in its systemd unit) when this
    benchmark may set it (as root); otherwise at the same priority, and it says so.
    """
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if not gunicorn:
        return None
    command = [gunicorn, "mentorprogramma.wsgi", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    command += ["--config", str(BASE_DIR / "deploy" / "gunicorn.conf.py")]
    preexec = None
    if pool == "coordinators":
        nice = coordinators_nice()
        if os.geteuid() == 0:
            preexec = lambda: os.nice(nice)  # noqa: E731 - as systemd's Nice= in the pool's unit
        else:
            print(f"coordinators' pool: at the members' CPU priority (Nice={nice} needs root here)")
    # Its access log (a line a request, as production writes it) goes nowhere: the figures are the output.
    server = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env={**env, "GUNICORN_POOL": pool},
        stdout=subprocess.DEVNULL,
        preexec_fn=preexec,  # noqa: PLW1509 - a nice value only, set before gunicorn starts threads
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn ({pool}) did not start within 30 s")


def _connection_loop(port, sessions, offset, stop_at, results, lock):
    """One keep-alive connection, playing members in turn; records (latency, ok) per request."""
    latencies, errors = [], 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = offset
    while time.monotonic() < stop_at:
        cookie, pages = sessions[n % len(sessions)]
        for page in pages:
            if time.monotonic() >= stop_at:
                break
            started = time.perf_counter()
            try:
                conn.request(
                    "GET",
                    page,
                    headers={
                        "Cookie": f"sessionid={cookie}",
                        "Host": "127.0.0.1",
                        "X-Forwarded-Proto": "https",  # as nginx says in production
                        "X-Forwarded-For": f"10.0.{n % 250}.{offset % 250}",
                    },
                )
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            latencies.append(time.perf_counter() - started)
            errors += not ok
        n += 1
    conn.close()
    with lock:
        results[0].extend(latencies)
        results[1] += errors


def _client_process(port, sessions, connections, first, seconds, queue):
    stop_at = time.monotonic() + seconds
    results, lock = [[], 0], threading.Lock()
    threads = [
        threading.Thread(target=_connection_loop, args=(port, sessions, first + i, stop_at, results, lock))
        for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((results[0], results[1]))


class KoppelschermUnderLoad:
    """A coordinator during the member load: a mentor's profile saved, then the Koppelscherm at once (wall clock).

    Runs in this process (Django set up by `member_sessions`), in a thread beside the client processes.
    The first Koppelscherm request after a change is the one that applies it to the stored candidate set.
    """

    def __init__(self, port: int):
        from django.test import Client

        from bench.support import bench_coordinator, login_with_second_factor
        from matching import suggestions
        from matching.models import Application, Cycle, Role

        self.port = port
        cycle = Cycle.objects.get(name="Schaal koppelen")
        self.url = f"/admin/matching/cycle/{cycle.pk}/matching/"
        self.mentors = list(
            Application.objects.filter(cycle=cycle, role=Role.MENTOR, status=Application.Status.SUBMITTED)
            .select_related("member__profile")
            .order_by("pk")[:KOPPELSCHERM_CHANGES]
        )
        client = Client()
        login_with_second_factor(client, bench_coordinator())
        self.cookie = client.cookies["sessionid"].value
        started = time.perf_counter()
        suggestions.compute_and_store(cycle)  # what the background job stored before the evening began
        stored_in = time.perf_counter() - started
        print(f"koppelscherm candidate set, stored before the run: {stored_in:.1f} s (informational)")
        self.latencies: list[float] = []
        self.errors = 0
        self.ok = self.get() == 200  # every worker reads the stored set once, as after a quiet night
        for _ in range(3):
            self.get()

    def get(self) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", self.url, headers={"Cookie": f"sessionid={self.cookie}", "X-Forwarded-Proto": "https"})
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return 0
        finally:
            conn.close()

    def run(self, seconds: float) -> None:
        """Spread the changes over the run, leaving its first and last few seconds alone."""
        from django.db import connection

        pause = seconds / (len(self.mentors) + 1)
        for mentor in self.mentors:
            time.sleep(pause)
            profile = mentor.member.profile
            profile.career_start_year = (profile.career_start_year or 2000) - 1
            profile.save()
            started = time.perf_counter()
            status = self.get()
            self.latencies.append(time.perf_counter() - started)
            self.errors += status != 200
        connection.close()


def run_load(port: int, sessions, connections: int, seconds: float, koppelscherm=None) -> dict:
    queue = multiprocessing.Queue()
    per_process = [
        connections // CLIENT_PROCESSES + (i < connections % CLIENT_PROCESSES) for i in range(CLIENT_PROCESSES)
    ]
    processes, first = [], 0
    for count in per_process:
        processes.append(
            multiprocessing.Process(target=_client_process, args=(port, sessions, count, first, seconds, queue))
        )
        first += count
    for process in processes:
        process.start()
    coordinator = None
    if koppelscherm is not None:
        coordinator = threading.Thread(target=koppelscherm.run, args=(seconds,))
        coordinator.start()
    latencies, errors = [], 0
    for _ in processes:
        part, failed = queue.get()
        latencies += part
        errors += failed
    for process in processes:
        process.join()
    if coordinator is not None:
        coordinator.join()
    latencies.sort()

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000

    return {
        "requests": len(latencies),
        "errors": errors,
        "p50": statistics.median(latencies) * 1000,
        "p95": percentile(95),
        "p99": percentile(99),
        "load": os.getloadavg()[0],
    }


def main():
    port = free_port()
    redis_urls = shared_redis()
    env = production_environment(port, redis_urls)
    reason = seed(env)
    if reason:
        print(f"load: skipped ({reason})")
        return
    sessions = member_sessions(env)
    collectstatic(env)
    server = start_gunicorn(env, port)
    if server is None:
        print("load: skipped (gunicorn is not installed)")
        return
    coordinators = None
    try:
        # nginx sends /admin/ to the coordinators' pool (deploy/nginx): the coordinator asks that one.
        if redis_urls:
            coordinators_port = free_port()
            coordinators = start_gunicorn(env, coordinators_port, pool="coordinators")
        koppelscherm = KoppelschermUnderLoad(coordinators_port) if coordinators else None
        run_load(port, sessions, 10, 5)  # warm up: templates, connections, every worker's first requests
        print(
            f"load, {MEMBERS:,} members, {len(sessions)} members' sessions, gunicorn as in production (2-core machine):"
        )
        for connections, (p95_target, p99_target) in TARGETS.items():
            figure = run_load(port, sessions, connections, SECONDS, koppelscherm if connections == 20 else None)
            at = f"at {connections} connections"
            rate = figure["requests"] / SECONDS
            print(
                f"member pages {at}: {figure['requests']:,} requests in {SECONDS:.0f} s ({rate:.0f}/s), "
                f"load average {figure['load']:.1f} (informational)"
            )
            print(f"member pages p50 at {connections} connections: {figure['p50']:.0f} ms")
            print(
                f"member pages p95 at {connections} connections: {figure['p95']:.0f} ms "
                f"(target <= {p95_target} ms; load average {figure['load']:.1f})"
            )
            print(
                f"member pages p99 at {connections} connections: {figure['p99']:.0f} ms"
                + (f" (target <= {p99_target} ms)" if p99_target else "")
            )
            print(f"member pages errors at {connections} connections: {figure['errors']} (target 0)")
            if connections == 20:
                report_koppelscherm(koppelscherm, figure["load"])
    finally:
        for process in (server, coordinators):
            if process is not None:
                process.send_signal(signal.SIGTERM)
        for process in (server, coordinators):
            if process is None:
                continue
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def report_koppelscherm(koppelscherm, load_average: float) -> None:
    line = f"koppelscherm after a change under the member load, {MEMBERS:,} members"
    if koppelscherm is None:
        print(f"{line}: skipped (no Redis at {REDIS_URL}: the web processes would not share the candidate set)")
        return
    if not koppelscherm.ok or not koppelscherm.latencies:
        print(f"{line}: skipped (the Koppelscherm did not answer 200 before the run)")
        return
    worst = max(koppelscherm.latencies) * 1000
    median = statistics.median(koppelscherm.latencies) * 1000
    print(
        f"{line}: {worst:.0f} ms (target < 500; the slowest of {len(koppelscherm.latencies)} changes, wall clock, "
        f"median {median:.0f} ms, {koppelscherm.errors} errors; at 20 connections, load average {load_average:.1f})"
    )


if __name__ == "__main__":
    main()
