"""Benchmark: evaluation invitations through the outbox, two figures.

It builds a throwaway PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/mp_bench_notifications) with

1. a round with 100,000 invitations (50,000 synthetic pairs): the time to record their
   100,000 invitation e-mails in the outbox (notifications.services.invitations_record, one
   set-based INSERT ... SELECT in the transaction that would make the invitations).
   Target: under 5 seconds.
2. a round with 10,000 invitations in another cycle, `celery worker --pool solo` on Redis with
   Django's file e-mail backend: the time from recording the 10,000 e-mails (and the commit's
   nudge) until every row is sent, then the e-mails in the files are counted: exactly 10,000,
   none twice. Target: under 30 seconds.

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
TARGET_SECONDS = 30
QUEUED = 100_000
QUEUE_TARGET_SECONDS = 5
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mp_bench_notifications")
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/10"


def fresh_database() -> str | None:
    """Drop and create the benchmark database; the reason it cannot, or None."""
    from bench.support import fresh_postgresql_database

    return fresh_postgresql_database(DATABASE_URL)


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
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from bench.support import bulk_pairs
    from conftest import WorkerProcess
    from evaluations import services as evaluation_services
    from evaluations.models import EvaluationRound, Invitation
    from mentorprogramma.celery import app
    from notifications import services
    from notifications.emails.build import OUTBOX_HEADER
    from notifications.models import OutboxMessage

    call_command("migrate", verbosity=0)
    today = timezone.localdate()

    def programme(name: str, participants: int):
        """A running cycle with participants // 2 active pairs and an open round with their invitations."""
        cycle, users = bulk_pairs(participants // 2, today=today, cycle_name=name, email_prefix=name.lower())
        evaluation_round = EvaluationRound.objects.create(
            cycle=cycle,
            name=f"{name}evaluatie",
            kind=EvaluationRound.Kind.INTERIM,
            audience=EvaluationRound.Audience.BOTH,
            opens_on=today,
            closes_on=today + datetime.timedelta(days=28),
        )
        evaluation_services.round_add_default_questions(round=evaluation_round)
        # The invitations themselves are the evaluations app's (bulk) business; set up directly here.
        Invitation.objects.bulk_create(
            [
                Invitation(round=evaluation_round, user=users[n], role="mentor" if n % 2 == 0 else "mentee")
                for n in range(participants)
            ],
            batch_size=5000,
        )
        return evaluation_round

    # 1. Recording 100,000 invitation e-mails.
    print(f"Preparing {QUEUED:,} invitations ({QUEUED // 2:,} pairs)...")
    big_round = programme("Groot", QUEUED)
    started = time.monotonic()
    with transaction.atomic():
        recorded = services.invitations_record(round_id=big_round.pk)
    queue_seconds = time.monotonic() - started
    assert recorded == QUEUED, recorded
    verdict = "met" if queue_seconds < QUEUE_TARGET_SECONDS else "MISSED"
    print(
        f"Recorded {recorded:,} evaluation invitation e-mails in the outbox in {queue_seconds:.2f} s "
        f"(target < {QUEUE_TARGET_SECONDS} s: {verdict})"
    )
    # They are not part of the delivery figure: out of the way.
    OutboxMessage.objects.all().delete()

    # 2. Delivering 10,000 through Redis with one worker.
    print(f"Preparing {PARTICIPANTS:,} participants ({PARTICIPANTS // 2:,} pairs) and an evaluation round...")
    evaluation_round = programme("Bench", PARTICIPANTS)
    mail_dir = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    env = {
        **os.environ,
        "EMAIL_BACKEND_OVERRIDE": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    app.conf.task_always_eager = False
    app.control.purge()
    cache.clear()
    worker = WorkerProcess(env).start()
    try:
        started = time.monotonic()
        # As the coordinators' "invite" action or the daily job does it: the e-mails recorded in one
        # transaction, then one nudge to the worker after the commit.
        with transaction.atomic():
            queued = services.invitations_record(round_id=evaluation_round.pk)
        assert queued == PARTICIPANTS, queued
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
        f"Recorded {queued:,} evaluation invitations in {queued_after:.1f} s; one worker (--pool solo) through "
        f"Redis delivered {len(delivered):,} e-mails in {elapsed:.1f} s (recording included)"
    )
    print(
        f"  outbox: {invitations:,} evaluation invitations, {sent:,} sent, {failed} not sent; "
        f"distinct e-mails: {len(set(delivered)):,}"
    )
    verdict = "met" if elapsed < TARGET_SECONDS else "MISSED"
    if worker_cpu is not None:
        # On a shared, busy machine the wall clock says more about the neighbours than about us.
        print(f"  worker CPU time: {worker_cpu:.1f} s (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(
        f"Delivered {len(delivered):,} evaluation invitations with one worker through Redis in {elapsed:.1f} s "
        f"({len(delivered) / elapsed:.0f} e-mails/s; target < {TARGET_SECONDS} s: {verdict})"
    )
    ok = len(delivered) == len(set(delivered)) == PARTICIPANTS
    print("  count is exactly 10,000" if ok else "  COUNT IS WRONG")
    for path in mail_dir.glob("*"):
        path.unlink()
    mail_dir.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
