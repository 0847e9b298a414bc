"""Health for monitors: is the site up (`/health/live`) and is everything it needs working (`/health/ready`).

`/health/ready` and `manage.py health` run the same checks and answer JSON: each check with
`ok` and a few figures, `failing` naming the checks that failed. No personal data: counts, ages
in seconds and error class names only (an exception's text can hold a password in a URL).

The roof asks: notifications' selectors for the e-mail figures, core for the worker's task and
beat's heartbeat. See docs/operations.md for what to do when a check fails.
"""

import datetime
import time

import redis
from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.heartbeat import heartbeat_last
from core.tasks import health as worker_health_task
from notifications import selectors as notification_selectors

REDIS_TIMEOUT_SECONDS = 1.0


def _error(exc: BaseException) -> str:
    return type(exc).__name__


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": _error(exc)}
    return {"ok": True, "vendor": connection.vendor}


def check_migrations() -> dict:
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"ok": not unapplied, "unapplied": len(unapplied)}


def _ping_redis(url: str) -> dict:
    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return {"ok": False, "error": _error(exc)}
    finally:
        client.close()
    return {"ok": True}


def _is_redis(url) -> bool:
    return isinstance(url, str) and url.startswith(("redis://", "rediss://", "unix://"))


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not _is_redis(url):
        return {"ok": True, "mode": "in-process"}
    return _ping_redis(url)


def check_cache() -> dict:
    location = settings.CACHES["default"].get("LOCATION")
    if isinstance(location, (list, tuple)):
        location = location[0] if location else ""
    if not _is_redis(location):
        return {"ok": True, "mode": "memory"}
    return _ping_redis(location)


def check_worker() -> dict:
    """A worker runs the core.health task (through the broker) and answers within the timeout."""
    # The project's Celery app (mentorprogramma loads it at start-up), asked without importing the configuration.
    if current_app.conf.task_always_eager:
        return {"ok": worker_health_task.apply().get()["status"] == "ok", "mode": "in-process"}
    timeout = settings.HEALTH_WORKER_TIMEOUT_SECONDS
    started = time.monotonic()
    try:
        # Expires: when no worker is there, the question does not wait on the queue for the next one.
        result = worker_health_task.apply_async(expires=timeout)
        answer = result.get(timeout=timeout, propagate=True)
        result.forget()
    except Exception as exc:  # noqa: BLE001 - any failure means: no worker answered
        return {"ok": False, "error": _error(exc), "timeout_seconds": timeout}
    return {"ok": answer.get("status") == "ok", "seconds": round(time.monotonic() - started, 3)}


def check_beat(now: datetime.datetime) -> dict:
    interval = settings.HEALTH_BEAT_INTERVAL_SECONDS
    last = heartbeat_last("beat")
    if last is None:
        return {"ok": False, "error": "no heartbeat yet", "max_age_seconds": 2 * interval}
    age = (now - last).total_seconds()
    return {"ok": age <= 2 * interval, "age_seconds": round(age), "max_age_seconds": 2 * interval}


def check_mail_queue(now: datetime.datetime) -> dict:
    limit = settings.HEALTH_MAIL_MAX_WAIT_MINUTES * 60
    since = notification_selectors.oldest_due_waiting_since(now)
    age = max(0, round((now - since).total_seconds())) if since else 0
    return {"ok": age <= limit, "oldest_waiting_seconds": age, "max_seconds": limit}


def check_mail_failures(now: datetime.datetime) -> dict:
    limit = settings.HEALTH_MAIL_MAX_FAILED_PER_DAY
    count = notification_selectors.failed_messages_since(now - datetime.timedelta(days=1)).count()
    return {"ok": count <= limit, "failed_last_day": count, "max": limit}


def readiness() -> dict:
    """Every check; `status` is "ok" only when all pass."""
    now = timezone.now()
    checks = {"database": check_database()}
    if checks["database"]["ok"]:
        checks["migrations"] = check_migrations()
    else:
        checks["migrations"] = {"ok": False, "error": "needs the database"}
    checks["broker"] = check_broker()
    checks["cache"] = check_cache()
    checks["worker"] = check_worker() if checks["broker"]["ok"] else {"ok": False, "error": "needs the broker"}
    for name, check in [("beat", check_beat), ("mail_queue", check_mail_queue), ("mail_failures", check_mail_failures)]:
        if checks["database"]["ok"]:
            try:
                checks[name] = check(now)
            except DatabaseError as exc:
                checks[name] = {"ok": False, "error": _error(exc)}
        else:
            checks[name] = {"ok": False, "error": "needs the database"}
    failing = [name for name, check in checks.items() if not check["ok"]]
    return {"status": "fail" if failing else "ok", "failing": failing, "checks": checks}


@never_cache
@require_GET
def live(request):
    """The process answers; nothing else is asked (no database), so a restart is never triggered by a dependency."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    report = readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
