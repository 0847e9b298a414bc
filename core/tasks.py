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


# A request that starts a job must not wait for a broker that is down or hung (issue 22): refused at
# once, or left to these socket timeouts in a thread of its own.
PUBLISH_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.3,
    "socket_timeout": 0.3,
    "retry_on_timeout": False,
    "max_retries": 0,
}


def start_within(name: str, args: tuple, seconds: float = 1.0) -> None:
    """Start the task registered as ``name`` with ``args``; raise if the broker has not taken it within ``seconds``.

    In-process Celery (tests, `make run` without Redis) runs it at once, as ``delay`` does.
    """
    import threading

    task = task_by_name(name)
    if current_app.conf.task_always_eager:
        task.apply_async(args=args, retry=False)
        return
    outcome = {}

    def publish():
        try:
            with current_app.connection_for_write(transport_options=PUBLISH_TRANSPORT_OPTIONS) as connection:
                task.apply_async(args=args, retry=False, connection=connection)
            outcome["done"] = True
        except Exception as error:  # noqa: BLE001 - handed to the caller
            outcome["error"] = error

    thread = threading.Thread(target=publish, name=f"start-{name}", daemon=True)
    thread.start()
    thread.join(seconds)
    if "error" in outcome:
        raise outcome["error"]
    if "done" not in outcome:
        raise TimeoutError(f"The broker did not take {name} within {seconds} s")
