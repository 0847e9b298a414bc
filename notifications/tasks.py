"""Celery tasks: a service call, a small summary out. Schedules are in settings.

outbox.py dispatches to these by their registered names (no import back), so the
names are part of the interface: keep them.
"""

from celery import shared_task

from . import delivery, outbox, services


# No result: nobody waits for it, and a result backend that is down must not hold up a request.
@shared_task(name=outbox.DELIVER_DUE_TASK, ignore_result=True)
def deliver_due() -> dict:
    return vars(delivery.outbox_deliver_due())


@shared_task(name="notifications.run_daily_jobs")
def run_daily_jobs() -> dict:
    return services.daily_jobs_run()


# Every minute (and inside the daily job): meeting reminders and "did it happen?" (issue 26 §4).
@shared_task(name="notifications.record_meeting_messages", ignore_result=True)
def record_meeting_messages() -> dict:
    return services.meeting_messages_record()
