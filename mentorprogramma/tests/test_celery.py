import pytest

from core.tasks import health


@pytest.mark.django_db
def test_health_task_reports_the_database_in_process():
    assert health.delay().get(timeout=5) == {"status": "ok", "database": True}


@pytest.mark.worker
def test_a_real_worker_runs_the_health_task_through_redis(celery_worker_process):
    result = health.delay()

    assert result.get(timeout=30) == {"status": "ok", "database": True}
    # It really went through the broker, not in-process.
    assert result.backend.__class__.__name__ == "RedisBackend"
