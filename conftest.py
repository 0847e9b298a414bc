"""Test set-up shared by every app: in-process Celery, Chromium, a real worker (settings: settings_test)."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the test thread; Django
# would otherwise refuse ORM calls made from tests that also drive the browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BASE_DIR = Path(__file__).resolve().parent


def _flushes_the_database(item) -> bool:
    """A test that commits (browser tests' live server, the concurrency tests): Django empties every
    table after it, taking the rows data migrations seeded (the coordinators' group, the expertise list)."""
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    return transactional or bool({"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the tests that flush the database after all others, as Django and pytest-django intend.

    pytest-django sorts them last, but pytest's own grouping by Playwright's session-scoped browser
    parameter runs afterwards and can pull ordinary tests behind them, where the seeded rows are gone
    (seen in CI: "Group matching query does not exist"). Sorting again, stably, keeps both orders.
    """
    items.sort(key=_flushes_the_database)


def skip_or_fail(message: str):
    """Missing infrastructure skips on a laptop but fails in CI, where it must exist."""
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _in_process_celery():
    from celery._state import _set_task_join_will_block

    from mentorprogramma.celery import app

    # Celery keeps "a task is running here, result.get() would block" in one process-wide flag that
    # every in-process task sets and restores. Two threads running in-process tasks at once (the
    # live server, the race tests) can restore it in the wrong order and leave it set; the next
    # test's result.get() then fails with "Never call result.get() within a task!". Start clean.
    _set_task_join_will_block(False)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth's rate limits live in the cache; one test's logins must not throttle the next.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def postgresql_only():
    """For tests of real concurrency (row locks, unique races): PostgreSQL, as in CI and production."""
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_or_fail("This test needs PostgreSQL (concurrent transactions): set DATABASE_URL to run it.")


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` stands for a whole login: with an authenticator on the account,
    allauth asks for the code, so the session records a password and an "mfa" step, as
    `core.mfa.session_passed_second_factor` reads them. A test of a password-only session logs in
    through the login form instead (core/tests/test_coordinator_gate.py)."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.utils import is_mfa_enabled
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if is_mfa_enabled(user):
            session = self.session
            now = time.time()
            session[AUTHENTICATION_METHODS_SESSION_KEY] = [
                {"method": "password", "at": now, "email": user.email},
                {"method": "mfa", "at": now, "type": "totp"},
            ]
            session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def admin_user(admin_user):
    # pytest-django's superuser, with the second factor every staff account needs before the admin opens.
    from accounts.tests.factories import TOTP_SECRET
    from core.mfa import totp_activate

    totp_activate(user=admin_user, secret=TOTP_SECRET)
    return admin_user


# --- Browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM_PATH).exists():
        skip_or_fail(
            f"Chromium not found at {CHROMIUM_PATH}: install it with `sudo apt-get install chromium` "
            "(or set CHROMIUM_PATH) to run the browser tests."
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def browser_context_args(browser_context_args):
    # Browsers mostly send English; the site must still open in Dutch.
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


# --- Real Celery worker -------------------------------------------------------------


def redis_url() -> str:
    from django.conf import settings

    return settings.REDIS_URL


def _worker_database_url() -> str | None:
    """Point the worker at the test database, so it sees what the test committed."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, env):
        self.env = env
        self.process = None

    def start(self):
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        self.process = subprocess.Popen(
            [
                celery,
                "-A",
                "mentorprogramma",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "WARNING",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        from mentorprogramma.celery import app

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("The Celery worker exited during start-up.")
            if app.control.ping(timeout=0.5):
                return self
        raise RuntimeError("The Celery worker did not answer a ping within 30 seconds.")

    def kill(self, sig):
        self.process.send_signal(sig)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real `celery worker` process on the real Redis broker, with Django's test database."""
    url = redis_url()
    if not url:
        skip_or_fail("REDIS_URL is not set: the real-worker tests need Redis (see README).")
    from mentorprogramma.celery import app

    app.conf.task_always_eager = False
    env = {**os.environ, "REDIS_URL": url, "CELERY_TASK_ALWAYS_EAGER": "false"}
    database_url = _worker_database_url()
    if database_url:
        env["DATABASE_URL"] = database_url
    app.control.purge()
    worker = WorkerProcess(env)
    try:
        yield worker.start()
    finally:
        worker.stop()
