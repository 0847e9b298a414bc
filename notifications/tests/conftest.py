"""Fixtures for the notification tests: mail that can be counted, a real worker with extra settings."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from conftest import IN_CI, WorkerProcess, _worker_database_url, redis_url, skip_or_fail
from core.tests.own_services import own_redis  # noqa: F401 - the fixture, for the outage tests
from notifications.emails.build import OUTBOX_HEADER

OUTBOX_ID = re.compile(rf"^{OUTBOX_HEADER}: (\d+)$", re.MULTILINE)


def outbox_ids_in_files(folder: Path) -> list[int]:
    """Outbox ids of every e-mail Django's file backend wrote, repeats included."""
    return [int(found) for path in folder.glob("*") for found in OUTBOX_ID.findall(path.read_text(errors="replace"))]


def bodies(email) -> str:
    """Everything a recipient can read: subject, text and HTML."""
    return "\n".join([email.subject, email.body, *(content for content, _mime in email.alternatives)])


def of_kind(emails, kind) -> list:
    """The e-mails of one kind, found through the outbox id each e-mail carries."""
    from notifications.models import OutboxMessage

    ids = {str(pk) for pk in OutboxMessage.objects.filter(kind=kind).values_list("pk", flat=True)}
    return [email for email in emails if email.extra_headers.get(OUTBOX_HEADER) in ids]


@pytest.fixture
def sent():
    """The e-mails sent so far (Django's test backend)."""
    return mail.outbox


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start real `celery worker` processes on Redis with the test database, writing mail to files.

    Like the root `celery_worker_process`, plus settings for the worker (file e-mail,
    short timeouts), and it can start a second worker after killing the first.
    """
    from django.db import connection

    url = redis_url()
    if not url:
        skip_or_fail("REDIS_URL is not set: the real-worker tests need Redis (see README).")
    if connection.vendor != "postgresql" and not IN_CI:
        pytest.skip("A worker process cannot see SQLite's in-memory test database: run with DATABASE_URL (PostgreSQL).")
    from mentorprogramma.celery import app

    app.conf.task_always_eager = False
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    workers = []

    def start(**extra_env):
        env = {
            **os.environ,
            "REDIS_URL": url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND_OVERRIDE": "notifications.tests.backends.SlowFileBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            **extra_env,
        }
        database_url = _worker_database_url()
        if database_url:
            env["DATABASE_URL"] = database_url
        worker = WorkerProcess(env)
        workers.append(worker)
        return worker.start()

    start.mail_dir = mail_dir
    app.control.purge()
    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        app.control.purge()
