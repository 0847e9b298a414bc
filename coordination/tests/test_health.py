"""Health for monitors: /health/live, /health/ready and `manage.py health` name what fails, and nothing personal.

Redis is the test's own redis-server on a free port (stopped and hung by the test); the worker is a
real `celery worker` process when Redis is there (skipped on a laptop without it, required in CI).
"""

import datetime
import io
import json
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MemberFactory
from conftest import skip_or_fail
from coordination.health import readiness
from core.heartbeat import heartbeat_record
from core.tasks import beat_heartbeat
from notifications.models import OutboxMessage
from notifications.tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis():
    """A throwaway redis-server on a free port that the test stops or hangs."""
    if not shutil.which("redis-server"):
        skip_or_fail("redis-server is not installed: the health tests start their own.")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    process.url = f"redis://127.0.0.1:{port}/0"
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def beat_alive():
    beat_heartbeat()  # as beat's periodic job does


def ready(client):
    response = client.get(reverse("health_ready"))
    return response.status_code, response.json()


def test_live_answers_without_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health_live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_ready_is_200_when_everything_works(client, beat_alive):
    status, report = ready(client)
    assert status == 200, report
    assert report["status"] == "ok"
    assert report["failing"] == []
    assert set(report["checks"]) == {
        "database",
        "migrations",
        "broker",
        "cache",
        "worker",
        "beat",
        "mail_queue",
        "mail_failures",
    }


def test_ready_is_503_naming_beat_when_its_heartbeat_is_older_than_twice_its_interval(client, settings):
    settings.HEALTH_BEAT_INTERVAL_SECONDS = 60
    heartbeat_record("beat", timezone.now() - datetime.timedelta(seconds=121))
    status, report = ready(client)
    assert status == 503
    assert report["failing"] == ["beat"]
    assert report["checks"]["beat"]["age_seconds"] >= 121

    heartbeat_record("beat", timezone.now() - datetime.timedelta(seconds=100))
    assert ready(client)[0] == 200


def test_ready_is_503_naming_beat_when_beat_never_ran(client):
    status, report = ready(client)
    assert status == 503
    assert report["failing"] == ["beat"]


def test_ready_names_the_broker_and_the_cache_when_their_redis_stops_or_hangs(client, settings, own_redis, beat_alive):
    settings.CELERY_BROKER_URL = own_redis.url
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": own_redis.url}}
    report = readiness()
    assert report["status"] == "ok", report
    assert report["checks"]["broker"] == {"ok": True}

    own_redis.send_signal(signal.SIGSTOP)  # hung: the check answers within its short timeout
    started = time.monotonic()
    report = readiness()
    assert time.monotonic() - started < 5
    assert report["failing"] == ["broker", "cache", "worker"]
    assert report["checks"]["worker"]["error"] == "needs the broker"

    own_redis.send_signal(signal.SIGCONT)
    own_redis.terminate()
    own_redis.wait(timeout=10)
    status, report = ready(client)
    assert status == 503
    assert report["failing"] == ["broker", "cache", "worker"]
    assert report["checks"]["cache"]["error"] == "ConnectionError"


def test_ready_names_the_mail_queue_when_a_due_mail_waits_too_long(client, settings, beat_alive):
    settings.HEALTH_MAIL_MAX_WAIT_MINUTES = 15
    OutboxMessageFactory(next_attempt_at=timezone.now() - datetime.timedelta(minutes=10))
    OutboxMessageFactory(next_attempt_at=timezone.now() + datetime.timedelta(hours=1))  # a retry, not yet due
    assert ready(client)[0] == 200

    OutboxMessageFactory(next_attempt_at=timezone.now() - datetime.timedelta(minutes=16))
    status, report = ready(client)
    assert status == 503
    assert report["failing"] == ["mail_queue"]
    assert report["checks"]["mail_queue"]["oldest_waiting_seconds"] >= 16 * 60


def test_ready_names_mail_failures_above_the_daily_limit_and_forgets_older_ones(client, settings, beat_alive):
    settings.HEALTH_MAIL_MAX_FAILED_PER_DAY = 2
    now = timezone.now()
    OutboxMessageFactory.create_batch(5, status=Status.FAILED, claimed_at=now - datetime.timedelta(days=2))
    OutboxMessageFactory.create_batch(2, status=Status.FAILED, claimed_at=now - datetime.timedelta(hours=1))
    assert ready(client)[0] == 200

    OutboxMessageFactory(status=Status.FAILED, claimed_at=now - datetime.timedelta(minutes=5))
    status, report = ready(client)
    assert status == 503
    assert report["failing"] == ["mail_failures"]
    assert report["checks"]["mail_failures"]["failed_last_day"] == 3


def test_ready_shows_no_personal_data(client, beat_alive):
    member = MemberFactory(email="geheim.lid@example.org")
    OutboxMessageFactory(recipient=member, next_attempt_at=timezone.now() - datetime.timedelta(hours=2))
    OutboxMessageFactory(recipient=member, status=Status.FAILED, claimed_at=timezone.now(), last_error="550 geheim.lid")
    text = client.get(reverse("health_ready")).content.decode()
    assert "geheim" not in text.lower()


def test_manage_py_health_prints_the_report_and_exits_non_zero_when_a_check_fails(capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("health", stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_.value.code == 1

    beat_heartbeat()
    out = io.StringIO()
    call_command("health", stdout=out)  # no SystemExit: exit status 0
    assert json.loads(out.getvalue())["status"] == "ok"


# --- A real worker on Redis ------------------------------------------------------------------


@pytest.mark.worker
def test_ready_answers_200_with_a_real_worker_and_503_naming_the_worker_when_none_answers(
    celery_worker_process, client, settings
):
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 2
    beat_heartbeat()
    status, report = ready(client)
    assert status == 200, report
    assert report["checks"]["worker"]["ok"] is True
    assert "mode" not in report["checks"]["worker"]  # it went through the broker, not in-process

    celery_worker_process.stop()
    started = time.monotonic()
    status, report = ready(client)
    assert status == 503
    assert report["failing"] == ["worker"]
    assert report["checks"]["worker"]["error"] == "TimeoutError"
    assert time.monotonic() - started < 5
