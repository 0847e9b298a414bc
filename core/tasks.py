from celery import current_app, shared_task
from django.db import connection

from .heartbeat import heartbeat_record


@shared_task(name="core.health")
def health() -> dict:
    """Prove a worker is alive and can reach the database; /health/ready and `manage.py health` ask it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"status": "ok", "database": one == 1}


@shared_task(name="core.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Beat starts this every HEALTH_BEAT_INTERVAL_SECONDS; its time tells the health check beat is alive."""
    heartbeat_record("beat")


def task_by_name(name: str):
    """A task found by its registered name, so a module may start a task whose module imports it back.

    Outside a worker, task discovery is lazy: the first look-up imports the apps' task modules.
    """
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]
