"""Benchmark: member pages under an evening peak, as the members feel it (issue 24).

Run with `make bench` or `.venv/bin/python bench/load.py`. It fills a throwaway PostgreSQL
database (BENCH_LOAD_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/mp_bench_load) with
`manage.py seed_scale --members 10000`, starts gunicorn as production runs it (DJANGO_ENV=production,
the gthread worker class, workers and threads from deploy/gunicorn.conf.py when it exists, kept
database connections) on a free local port, logs 200 members in (their own sessions), and then
keeps 20 and then 50 connections busy for 60 s each. Every connection plays members in turn: her
dashboard, her programme page, her pair page and the pair's meetings, one request after the other,
as a browser on a fast link would.

It prints one figure a line with its target: p50, p95 and p99 latency and the error count per
run, with the machine's load average beside it. The load generator runs on the same 2-core
machine as the server (in 2 processes), so the figures include its share of the CPU.
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
KEEP = os.environ.get("BENCH_KEEP_DATABASE") == "1"
CLIENT_PROCESSES = 2
TARGETS = {20: (300, 600), 50: (800, None)}  # connections: (p95 target, p99 target) in ms


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(port: int) -> dict:
    from cryptography.fernet import Fernet

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
        # No broker: a page view sends no mail, and the cache falls back to the process's memory.
        "REDIS_URL": "",
        "CACHE_URL": "",
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
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CACHE_URL", None)
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


def start_gunicorn(env: dict, port: int) -> subprocess.Popen | None:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if not gunicorn:
        return None
    # As a release does: the hashed static files production's pages name.
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v0"], env=env, check=True
    )
    config = BASE_DIR / "deploy" / "gunicorn.conf.py"
    command = [gunicorn, "mentorprogramma.wsgi", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    if config.exists():
        command += ["--config", str(config)]
    else:  # what deploy/ will hold: threads, so a slow client cannot tie up a worker
        command += ["--worker-class", "gthread", "--workers", "2", "--threads", "8"]
    # Its access log (a line a request, as production writes it) goes nowhere: the figures are the output.
    server = subprocess.Popen(
        command, cwd=BASE_DIR, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start within 30 s")


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


def run_load(port: int, sessions, connections: int, seconds: float) -> dict:
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
    latencies, errors = [], 0
    for _ in processes:
        part, failed = queue.get()
        latencies += part
        errors += failed
    for process in processes:
        process.join()
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
    env = production_environment(port)
    reason = seed(env)
    if reason:
        print(f"load: skipped ({reason})")
        return
    sessions = member_sessions(env)
    server = start_gunicorn(env, port)
    if server is None:
        print("load: skipped (gunicorn is not installed)")
        return
    try:
        run_load(port, sessions, 10, 5)  # warm up: templates, connections, every worker's first requests
        print(
            f"load, {MEMBERS:,} members, {len(sessions)} members' sessions, gunicorn as in production (2-core machine):"
        )
        for connections, (p95_target, p99_target) in TARGETS.items():
            figure = run_load(port, sessions, connections, SECONDS)
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
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
