"""Celery tasks of the roof: a call, a small summary out. Schedules are in settings."""

from celery import shared_task

from . import digest


@shared_task(name="coordination.send_coordinator_digest")
def send_coordinator_digest() -> int:
    return digest.digest_record()
