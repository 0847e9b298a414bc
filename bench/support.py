"""Helpers the benchmark scripts share (run on its own, this file does nothing)."""

from urllib.parse import urlparse


def fresh_postgresql_database(url: str) -> str | None:
    """Drop and create the throwaway benchmark database at `url`; the reason it cannot, or None."""
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed"
    name = urlparse(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    try:
        conn = psycopg2.connect(admin_url, connect_timeout=3)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()
    except psycopg2.Error as exc:
        return f"PostgreSQL is not reachable at {admin_url}: {exc}"
    return None


def bulk_pairs(pairs: int, *, today, cycle_name: str = "Benchmark", email_prefix: str = "deelnemer"):
    """A running cycle with `pairs` active pairs of synthetic members (2 x pairs users); returns (cycle, users).

    Bulk inserts through the models: call after django.setup() and migrate.
    """
    from accounts.models import User
    from matching.models import Cycle, Match

    users = User.objects.bulk_create(
        [
            User(
                email=f"{email_prefix}{n}@bench.example.org",
                full_name=f"Deelnemer {n}",
                language="en" if n % 5 == 0 else "nl",
                password="!",
            )
            for n in range(2 * pairs)
        ],
        batch_size=5000,
    )
    cycle = Cycle.objects.create(
        name=cycle_name,
        applications_open=today,
        applications_close=today,
        planned_start=today,
        status=Cycle.Status.RUNNING,
    )
    Match.objects.bulk_create(
        [
            Match(
                cycle=cycle,
                mentor=users[n],
                mentee=users[n + 1],
                status=Match.Status.ACTIVE,
                start_date=today,
                planned_end=today.replace(year=today.year + 1),
            )
            for n in range(0, 2 * pairs, 2)
        ],
        batch_size=5000,
    )
    return cycle, users


def bench_coordinator():
    """The benchmark's coordinator: staff, in the coordinators' group, with a second factor (issue 13).

    Call after django.setup(); idempotent, so a kept database reuses her.
    """
    from django.contrib.auth.models import Group

    from accounts.models import COORDINATOR_GROUP, User
    from core.mfa import DEMO_TOTP_SECRET, totp_activate

    coordinator, _created = User.objects.get_or_create(
        email="bench-coordinator@schaal.example.org",
        defaults={"full_name": "Bench coördinator", "is_staff": True, "is_superuser": True},
    )
    # Without a second factor the admin sends her to set it up.
    totp_activate(user=coordinator, secret=DEMO_TOTP_SECRET)
    # The cockpit is for the coordinators' group only.
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATOR_GROUP)[0])
    return coordinator


def login_with_second_factor(client, user) -> None:
    """A whole coordinator login: password and code, as allauth records them (core.mfa.coordinator_gate reads them)."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    client.force_login(user)
    session, now = client.session, time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
