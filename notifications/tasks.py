"""Celery tasks: ids in, a service call, a small summary out. Schedules are in settings."""

from celery import shared_task

from . import services


@shared_task(name="notifications.notify_match_activated")
def notify_match_activated(match_id: int) -> int:
    return len(services.notify_match_activated(match_id=match_id))


@shared_task(name="notifications.send_messages")
def send_messages(message_ids: list[int]) -> dict:
    return vars(services.deliver(ids=message_ids))


@shared_task(name="notifications.deliver_due")
def deliver_due() -> dict:
    return vars(services.deliver_due())


@shared_task(name="notifications.run_daily_jobs")
def run_daily_jobs() -> dict:
    return services.run_daily_jobs()


@shared_task(name="notifications.send_coordinator_digest")
def send_coordinator_digest() -> int:
    return len(services.send_coordinator_digest())
