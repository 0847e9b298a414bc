"""The outbox: recording e-mails in the sender's transaction, and the nudge that asks a worker to deliver.

Sending an e-mail from anywhere in the application is ONE call, inside the transaction
that makes the change the mail is about::

    from notifications.outbox import message_record
    message_record(kind=OutboxMessage.Kind.X, recipient=user, about=obj)

(or ``messages_record([...])`` for many). The row commits or rolls back with the
change; after the commit a worker is nudged to deliver (``delivery``). Lower apps
(accounts, matching, evaluations) cannot import this module: they send a signal from
inside their transaction and ``receivers.py`` records the rows (``services`` says which).

- recording is idempotent: the outbox's unique key plus INSERT ... ON CONFLICT DO NOTHING;
- nothing but a "deliver now" nudge goes to the broker, by the task's registered name, after
  the commit; a broker that is down costs a log line, never the request: the every-minute
  ``deliver_due`` job finds the row in the database. A nudge already waiting is not repeated,
  so however often a job runs over a backlog, the broker's queue does not grow.
"""

import datetime
import json
import logging
import threading
import uuid
from collections.abc import Iterable

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.tasks import task_by_name

from . import crypto
from .models import OutboxMessage

logger = logging.getLogger(__name__)

Kind = OutboxMessage.Kind


# Celery task names: the tasks module imports this one, so this one dispatches by name.
DELIVER_DUE_TASK = "notifications.deliver_due"


# Set while a nudge waits on the broker; the task clears it when it starts.
NUDGE_PENDING_KEY = "notifications:deliver-nudge-pending"


def subject_key(obj) -> tuple[str, int]:
    return (obj._meta.label_lower, obj.pk) if obj is not None else ("", 0)


def message_build(
    *, kind: str, recipient=None, about=None, period: str = "", not_before: datetime.datetime | None = None
) -> OutboxMessage:
    """An unsaved outbox row; ``about`` is what the message is about (a match, an invitation), or None."""
    subject_type, subject_id = subject_key(about)
    return OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject_type=subject_type,
        subject_id=subject_id,
        period=period,
        next_attempt_at=max(not_before or timezone.now(), timezone.now()),
    )


def messages_record(messages: Iterable[OutboxMessage]) -> int:
    """Record messages in the current transaction (one that exists already is left alone); deliver after commit.

    Returns how many were given. Running this twice for the same messages records and sends them once.
    """
    messages = list(messages)
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=1000)
        delivery_nudge()
    return len(messages)


def message_record(
    *, kind: str, recipient, about=None, period: str = "", not_before: datetime.datetime | None = None
) -> None:
    """Record one e-mail in the current transaction: the one way to send mail from this application.

    ``about`` is the object the mail is about (its body is built from it when it is sent, so
    nothing confidential is stored); ``period`` tells repeats about the same object apart
    (a reminder's day); ``not_before`` holds it back until then. Idempotent.
    """
    messages_record([message_build(kind=kind, recipient=recipient, about=about, period=period, not_before=not_before)])


def account_message_record(*, template: str, to_email: str, recipient=None, context: dict) -> OutboxMessage:
    """One of allauth's e-mails (sign-up confirmation, password reset, ...), its context sealed.

    Every one is its own message (a second reset request is a second mail), so the period is unique.
    """
    message = OutboxMessage.objects.create(
        kind=Kind.ACCOUNT,
        recipient=recipient,
        to_email=to_email,
        template=template,
        period=uuid.uuid4().hex[:16],
        sealed_context=crypto.seal(json.dumps(context, default=str)),
    )
    delivery_nudge()
    return message


def delivery_nudge() -> None:
    """After the commit, ask a worker to deliver now; never fails the caller (beat catches up)."""
    transaction.on_commit(_nudge_now)


# Publishing a nudge never holds a request up longer than NUDGE_PUBLISH_SECONDS: its own connection
# with short socket timeouts and no retry, in a thread the request waits for at most that long.
NUDGE_PUBLISH_SECONDS = 0.9
NUDGE_PUBLISH_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.3,
    "socket_timeout": 0.3,
    "retry_on_timeout": False,
    "max_retries": 0,
}


def _nudge_now() -> None:
    try:
        if not _nudge_needed():
            return
        # Dispatch by the registered name: tasks.py imports this module, not the other way round.
        # apply_async (not send_task) so that in-process Celery (make run, tests) runs it at once.
        if current_app.conf.task_always_eager:
            deliver_task().apply_async(retry=False)
            return
        _publish_within(NUDGE_PUBLISH_SECONDS)
    except Exception:  # a broker (or, in-process, a mail server) that is down must never fail the request
        # The flag stays set until it expires: during an outage one request a minute tries the
        # broker again, the others go on at once; the every-minute job delivers meanwhile.
        logger.warning("Could not ask a worker to deliver e-mail now; the every-minute job will.", exc_info=True)


def _publish_within(seconds: float) -> None:
    """Publish the nudge on a connection of its own; raise if the broker has not taken it within ``seconds``.

    A broker that is down refuses at once; one that hangs (SIGSTOP, a full network buffer) is left to
    its socket timeouts in the background thread, which owns its connection and closes it. The
    worker's own broker connection keeps the ordinary options (its blocking reads must not time out).
    """
    outcome = {}

    def publish():
        try:
            with current_app.connection_for_write(transport_options=NUDGE_PUBLISH_TRANSPORT_OPTIONS) as connection:
                deliver_task().apply_async(retry=False, connection=connection)
            outcome["done"] = True
        except Exception as error:  # noqa: BLE001 - handed to the caller
            outcome["error"] = error

    thread = threading.Thread(target=publish, name="delivery-nudge", daemon=True)
    thread.start()
    thread.join(seconds)
    if "error" in outcome:
        raise outcome["error"]
    if "done" not in outcome:
        raise TimeoutError(f"The broker did not take the nudge within {seconds} s")


def deliver_task():
    """The deliver task, found by its registered name (tasks.py imports this module, not the other way round)."""
    return task_by_name(DELIVER_DUE_TASK)


def _nudge_needed() -> bool:
    if current_app.conf.task_always_eager:
        return True
    try:
        return cache.add(NUDGE_PENDING_KEY, 1, timeout=settings.NOTIFICATIONS_NUDGE_SECONDS)
    except Exception:  # no cache: nudge anyway, a spare nudge costs one empty run
        return True


def _nudge_done() -> None:
    try:
        cache.delete(NUDGE_PENDING_KEY)
    except Exception:  # no cache, no flag to clear
        logger.debug("Could not clear the delivery nudge flag", exc_info=True)
