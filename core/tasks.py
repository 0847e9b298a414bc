from celery import shared_task
from django.db import connection


@shared_task(name="core.health")
def health() -> dict:
    """Prove a worker is alive and can reach the database; used by ops and tests."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"status": "ok", "database": one == 1}
