"""Redis or the mail server down: no error page, no mail lost, each mail delivered once when they are back.

Each test starts its own service on a free port (never the shared Redis on 6379) and stops it itself.
"""

import datetime
import os
import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, VerificationStatus
from accounts.tests.factories import PASSWORD, CoordinatorFactory, MemberFactory, ProfileFactory
from conftest import IN_CI, WorkerProcess, _worker_database_url
from core.tests.own_services import free_port, wait_until
from evaluations.tests.factories import EvaluationRoundFactory
from matching.models import Cycle, Match
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory
from notifications import delivery, outbox, services
from notifications.emails.build import OUTBOX_HEADER
from notifications.models import OutboxMessage
from notifications.tests.conftest import outbox_ids_in_files

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status


@pytest.fixture
def broker_on(own_redis, settings):
    """The application's Celery publishes to the test's own Redis, as in production (not in-process)."""
    from mentorprogramma.celery import app

    def point_at(url):
        app.conf.broker_url = url
        app.conf.result_backend = url
        app._pool = None
        app.amqp._producer_pool = None

    old = (app.conf.broker_url, app.conf.result_backend)
    app.conf.task_always_eager = False
    point_at(own_redis.url())
    yield own_redis
    point_at(old[0])
    app.conf.result_backend = old[1]


def _coordinator_actions(client):
    """A coordinator matches a pair, verifies a member and invites to an evaluation; a newcomer signs up."""
    coordinator = CoordinatorFactory()
    cycle = CycleFactory(status=Cycle.Status.MATCHING)
    mentor_application = MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=1)
    mentee_application = ApplicationFactory(cycle=cycle, member=MemberFactory())
    waiting = ProfileFactory()
    evaluation_round = EvaluationRoundFactory(cycle=ActiveMatchFactory().cycle)
    client.force_login(coordinator)
    responses = [
        client.post(
            reverse("admin:matching_cycle_match", args=[cycle.pk]),
            {"mentor": mentor_application.pk, "mentee": mentee_application.pk},
        ),
        client.post(
            reverse("admin:accounts_profile_verification", args=[waiting.pk]), {"decision": "verify", "reason": ""}
        ),
        client.post(
            reverse("admin:evaluations_evaluationround_changelist"),
            {"action": "create_invitations", "_selected_action": [str(evaluation_round.pk)]},
        ),
    ]
    client.logout()
    responses.append(
        client.post(
            reverse("account_signup"),
            {"full_name": "Nieuw Lid", "email": "nieuw@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    )
    return responses, waiting, cycle


EXPECTED_KINDS = {
    Kind.MATCH_MENTEE: 1,
    Kind.MATCH_MENTOR: 1,
    Kind.VERIFICATION_DECISION: 1,
    Kind.EVALUATION_INVITATION: 2,
    Kind.ACCOUNT: 1,
}


def kinds_recorded() -> dict:
    found = {}
    for kind in OutboxMessage.objects.values_list("kind", flat=True):
        found[kind] = found.get(kind, 0) + 1
    return found


@pytest.mark.worker
def test_with_redis_down_every_action_succeeds_and_a_real_worker_delivers_each_mail_once_when_it_is_back(
    transactional_db, broker_on, client, tmp_path, monkeypatch
):
    from django.db import connection

    if connection.vendor != "postgresql" and not IN_CI:
        pytest.skip("A worker process cannot see SQLite's in-memory test database: run with DATABASE_URL.")
    broker_on.stop()  # Redis goes down

    started = time.monotonic()
    warnings = []
    monkeypatch.setattr(outbox.logger, "warning", lambda message, *args, **kwargs: warnings.append(message))
    responses, waiting, cycle = _coordinator_actions(client)

    assert [response.status_code for response in responses] == [302, 302, 302, 302]
    assert time.monotonic() - started < 30, "a broker that is down must not hold requests up"
    # Matched: 'gekoppeld' before the cycle's start, 'actief' from it (issue 15); either way the mentee gets her mail.
    assert Match.objects.get(cycle=cycle).status in Match.ONGOING_STATUSES
    assert Profile.objects.get(pk=waiting.pk).verification_status == VerificationStatus.VERIFIED
    assert kinds_recorded() == EXPECTED_KINDS
    assert warnings and all("Could not ask a worker to deliver e-mail now" in warning for warning in warnings)

    # Redis is back; a real worker and the every-minute job deliver what waited.
    broker_on.start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "REDIS_URL": broker_on.url(),
        "CACHE_URL": broker_on.url(1),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND_OVERRIDE": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    if _worker_database_url():
        env["DATABASE_URL"] = _worker_database_url()
    worker = WorkerProcess(env).start()
    try:
        outbox.deliver_task().delay()  # what beat sends every minute
        assert wait_until(lambda: not OutboxMessage.objects.exclude(status=Status.SENT).exists(), timeout=60)
    finally:
        worker.stop()

    delivered = outbox_ids_in_files(mail_dir)
    assert sorted(delivered) == sorted(OutboxMessage.objects.values_list("pk", flat=True))  # each exactly once


@pytest.fixture
def smtp_port(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return port


class Inbox:
    """aiosmtpd handler: every message the local SMTP server accepted."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf-8", errors="replace"))
        return "250 Message accepted for delivery"


def test_with_the_mail_server_down_every_action_succeeds_and_each_mail_arrives_once_when_it_is_back(
    db, smtp_port, client, settings, django_capture_on_commit_callbacks
):
    from aiosmtpd.controller import Controller

    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    # In-process Celery: delivery is tried right after each commit, inside the request.
    with django_capture_on_commit_callbacks(execute=True):
        responses, _waiting, _cycle = _coordinator_actions(client)

    assert [response.status_code for response in responses] == [302, 302, 302, 302]
    assert kinds_recorded() == EXPECTED_KINDS
    waiting = OutboxMessage.objects.all()
    # A refused connection is the run's failure: they wait without losing an attempt (issue 22, finding 4).
    assert {(message.status, message.attempts) for message in waiting} == {(Status.PENDING, 0)}
    assert all("Connection refused" in message.last_error or "Errno" in message.last_error for message in waiting)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        later = timezone.now() + datetime.timedelta(minutes=2)
        import time_machine

        with time_machine.travel(later, tick=False):
            delivery.outbox_deliver_due()  # the every-minute job, once the wait is over
            delivery.outbox_deliver_due()  # and once more: nothing is sent twice
    finally:
        controller.stop()

    ids = sorted(
        int(line.split(":", 1)[1])
        for text in inbox.messages
        for line in text.splitlines()
        if line.startswith(OUTBOX_HEADER)
    )
    assert ids == sorted(OutboxMessage.objects.values_list("pk", flat=True))
    assert not OutboxMessage.objects.exclude(status=Status.SENT).exists()
    assert mail.outbox == []  # really through SMTP


@pytest.mark.worker
def test_the_daily_job_five_times_over_a_backlog_puts_at_most_one_nudge_and_no_ids_on_the_broker(
    db, broker_on, settings, django_capture_on_commit_callbacks
):
    import json

    import redis
    import time_machine

    settings.NOTIFICATIONS_BATCH_SIZE = 5
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "h10"}}
    pairs = ActiveMatchFactory.create_batch(
        15, start_date=datetime.date(2027, 1, 15), planned_end=datetime.date(2028, 1, 15)
    )
    # No worker runs: the 30 renewal questions stay pending, a backlog.
    for _run in range(5):
        with (
            time_machine.travel(datetime.datetime(2027, 12, 20, 7, 0), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.daily_jobs_run()

    assert OutboxMessage.objects.filter(kind=Kind.RENEWAL_QUESTION, status=Status.PENDING).count() == 2 * len(pairs)
    queue = redis.Redis.from_url(broker_on.url()).lrange("celery", 0, -1)
    assert len(queue) == 1, "one nudge waits, however often the job ran"
    message = json.loads(queue[0])
    assert message["headers"]["task"] == outbox.DELIVER_DUE_TASK
    assert message["headers"]["argsrepr"] in ("()", "[]")  # no ids, no names: the rows are in the database
