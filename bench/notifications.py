"""Benchmark: evaluation invitations for 10,000 participants, delivered by one real Celery worker through Redis.

It builds a throwaway PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/mp_bench_notifications) with 5,000 synthetic pairs and an
evaluation round with its 10,000 invitations (the evaluations app's own invitations_ensure),
starts `celery worker --pool solo` with Django's file e-mail backend, and then times the daily
job's evaluation part (services.queue_evaluation_messages: 10,000 outbox rows, their ids queued
on Redis in batches of NOTIFICATIONS_BATCH_SIZE) until every row is sent. It then counts the
e-mails in the files: exactly 10,000, none twice. Target: under 60 seconds.

Without PostgreSQL or Redis it says why and exits 0.
"""

import datetime
import os
import re
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Run as `python bench/notifications.py`: this file must not shadow the notifications app.
sys.path[0] = str(BASE_DIR)

PARTICIPANTS = 10_000
TARGET_SECONDS = 60
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mp_bench_notifications")
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/10"


def fresh_database() -> str | None:
    """Drop and create the benchmark database; the reason it cannot, or None."""
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed"
    from urllib.parse import urlparse

    name = urlparse(DATABASE_URL).path.lstrip("/")
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        conn = psycopg2.connect(admin_url, connect_timeout=3)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()
    except psycopg2.Error as exc:
        return f"PostgreSQL is not reachable at {admin_url}: {exc}"
    return None


def redis_missing() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis is not reachable at {REDIS_URL}: {exc}"
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def main() -> int:
    reason = redis_missing() or fresh_database()
    if reason:
        print(f"bench/notifications.py skipped: {reason}")
        return 0

    os.environ.update(
        DJANGO_SETTINGS_MODULE="mentorprogramma.settings_test",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        CACHE_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
        LOG_LEVEL="WARNING",
        DEBUG="false",  # as in production: no query log kept per task
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from conftest import WorkerProcess
    from evaluations import services as evaluation_services
    from evaluations.models import EvaluationRound
    from matching.models import Cycle, Match
    from mentorprogramma.celery import app
    from notifications import services
    from notifications.emails import OUTBOX_HEADER
    from notifications.models import OutboxMessage

    call_command("migrate", verbosity=0)

    print(f"Preparing {PARTICIPANTS:,} participants ({PARTICIPANTS // 2:,} pairs) and an evaluation round...")
    today = timezone.localdate()
    users = User.objects.bulk_create(
        [
            User(
                email=f"deelnemer{n}@bench.example.org",
                full_name=f"Deelnemer {n}",
                language="en" if n % 5 == 0 else "nl",
                password="!",
            )
            for n in range(PARTICIPANTS)
        ],
        batch_size=2000,
    )
    cycle = Cycle.objects.create(
        name="Benchmark",
        applications_open=today,
        applications_close=today,
        planned_start=today,
        status=Cycle.Status.RUNNING,
    )
    Match.objects.bulk_create(
        [
            Match(
                cycle=cycle,
                mentor=users[n],
                mentee=users[n + 1],
                status=Match.Status.ACTIVE,
                start_date=today,
                planned_end=today.replace(year=today.year + 1),
            )
            for n in range(0, PARTICIPANTS, 2)
        ],
        batch_size=2000,
    )
    evaluation_round = EvaluationRound.objects.create(
        cycle=cycle,
        name="Benchmarkevaluatie",
        kind=EvaluationRound.Kind.INTERIM,
        audience=EvaluationRound.Audience.BOTH,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=28),
    )
    evaluation_services.round_add_default_questions(round=evaluation_round)
    # The round's invitations (personal tokens), as the coordinators' admin action or the first daily run makes them.
    invited = evaluation_services.invitations_ensure(round=evaluation_round)
    assert invited == PARTICIPANTS, invited
    mail_dir = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    env = {
        **os.environ,
        "EMAIL_BACKEND_OVERRIDE": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    app.conf.task_always_eager = False
    app.control.purge()
    worker = WorkerProcess(env).start()
    try:
        started = time.monotonic()
        # The daily job's evaluation part: one invitation e-mail per invitation into the outbox,
        # then the ids are queued on Redis in batches once the transaction commits.
        with transaction.atomic():
            counts = services.queue_evaluation_messages(day=today)
        queued = counts[OutboxMessage.Kind.EVALUATION_INVITATION]
        assert queued == PARTICIPANTS, counts
        queued_after = time.monotonic() - started
        sent = 0
        while time.monotonic() - started < 10 * TARGET_SECONDS:
            sent = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count()
            if sent == PARTICIPANTS:
                break
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        worker_cpu = cpu_seconds(worker.process.pid)
    finally:
        worker.stop()

    pattern = re.compile(rf"^{OUTBOX_HEADER}: (\d+)$", re.MULTILINE)
    delivered = [m for path in mail_dir.glob("*") for m in pattern.findall(path.read_text(errors="replace"))]
    failed = OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).count()
    invitations = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.EVALUATION_INVITATION).count()
    print(
        f"Queued {queued:,} evaluation invitations in {queued_after:.1f} s; one worker (--pool solo) through Redis "
        f"delivered {len(delivered):,} e-mails in {elapsed:.1f} s (queueing included)"
    )
    print(
        f"  outbox: {invitations:,} evaluation invitations, {sent:,} sent, {failed} not sent; "
        f"distinct e-mails: {len(set(delivered)):,}"
    )
    verdict = "met" if elapsed < TARGET_SECONDS else "MISSED"
    if worker_cpu is not None:
        # On a shared, busy machine the wall clock says more about the neighbours than about us.
        print(f"  worker CPU time: {worker_cpu:.1f} s (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  {len(delivered) / elapsed:.0f} e-mails/s; target < {TARGET_SECONDS} s: {verdict}")
    ok = len(delivered) == len(set(delivered)) == PARTICIPANTS
    print("  count is exactly 10,000" if ok else "  COUNT IS WRONG")
    for path in mail_dir.glob("*"):
        path.unlink()
    mail_dir.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
