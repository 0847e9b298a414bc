"""Celery tasks of evaluations. Schedules are in settings (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(name="evaluations.publish_closed_rounds")
def publish_closed_rounds() -> dict:
    """Nightly: publish the sealed answers of every round that closed (R14).

    A round whose ballots cannot be opened is logged by name and left for the next run.
    """
    report = services.rounds_publish_closed()
    return {
        "published": report.published,
        "errors": report.errors,
        "vacuumed": report.vacuumed,
        "files_clean": report.files_clean,
        "ballots_held": report.ballots_held,
        "keys_to_retire": [key.fingerprint for key in report.keys_to_retire],
    }
