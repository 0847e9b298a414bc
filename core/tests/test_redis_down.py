"""Redis is an accelerator, never a single point of failure (issue 22, finding 1).

One Redis serves as broker and cache, as the README's default. The test starts its own
redis-server, then stops it (down) or SIGSTOPs it (hung), and walks through what members and
coordinators do: every request answers without an error page within a few seconds, and the
rate limits still count.
"""

import logging
import time

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, CoordinatorFactory, MemberFactory, UserFactory
from matching.models import Cycle, Match
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory
from notifications import outbox

# A request may wait for one short timeout of the cache and one of the broker, never more.
REQUEST_SECONDS = 3


@pytest.fixture
def redis_for_everything(db, own_redis, settings):
    """Cache and Celery broker on the test's own Redis, configured as settings.py does with REDIS_URL."""
    from django.core.cache import cache

    from mentorprogramma.celery import app

    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": own_redis.url(1),
            "KEY_PREFIX": "mentorprogramma",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    def point_at(broker, backend):
        app.conf.broker_url = broker
        app.conf.result_backend = backend
        app._pool = None
        app.amqp._producer_pool = None

    old = (app.conf.broker_url, app.conf.result_backend)
    point_at(own_redis.url(0), own_redis.url(0))
    app.conf.task_always_eager = False  # nudges are published to the broker, as in production
    cache.set("up", 1)
    assert cache.get("up") == 1
    yield own_redis
    own_redis.stop()
    point_at(*old)


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.parametrize("outage", ["down", "hung"])
def test_with_redis_down_or_hung_members_and_coordinators_carry_on(
    outage, redis_for_everything, client, profile_data, caplog
):
    cycle = CycleFactory(status=Cycle.Status.MATCHING)
    mentor_application = MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=1)
    mentee_application = ApplicationFactory(cycle=cycle, member=MemberFactory())
    coordinator = CoordinatorFactory()
    UserFactory(email="lid@example.org")
    newcomer = UserFactory(email="nieuw-lid@example.org")
    if outage == "down":
        redis_for_everything.stop()
    else:
        redis_for_everything.pause()

    answers = {}
    with caplog.at_level(logging.WARNING):
        answers["login"] = timed(
            lambda: client.post(reverse("account_login"), {"login": "lid@example.org", "password": PASSWORD})
        )
        client.logout()
        answers["sign-up"] = timed(
            lambda: client.post(
                reverse("account_signup"),
                {"full_name": "Nieuw Lid", "email": "nieuw@example.org", "password1": PASSWORD, "password2": PASSWORD},
            )
        )
        client.logout()
        answers["password reset"] = timed(
            lambda: client.post(reverse("account_reset_password"), {"email": "lid@example.org"})
        )
        client.force_login(newcomer)
        answers["profile"] = timed(lambda: client.post(reverse("accounts:profile_edit"), profile_data()))
        client.force_login(coordinator)
        answers["Koppelscherm"] = timed(lambda: client.get(reverse("admin:matching_cycle_matching", args=[cycle.pk])))
        answers["pair"] = timed(
            lambda: client.post(
                reverse("admin:matching_cycle_match", args=[cycle.pk]),
                {"mentor": mentor_application.pk, "mentee": mentee_application.pk, "before_window_closes": "on"},
            )
        )

    codes = {name: response.status_code for name, (response, _seconds) in answers.items()}
    assert codes == {
        "login": 302,
        "sign-up": 302,
        "password reset": 302,
        "profile": 302,
        "Koppelscherm": 200,
        "pair": 302,
    }
    slow = {name: round(seconds, 2) for name, (_response, seconds) in answers.items() if seconds > REQUEST_SECONDS}
    assert not slow, f"requests held up by Redis: {slow}"
    assert Match.objects.filter(cycle=cycle).exists()
    assert any("Cache (Redis) failed" in record.getMessage() for record in caplog.records)


def test_with_redis_down_failed_logins_are_still_limited_per_visitor(redis_for_everything, client):
    UserFactory(email="lid@example.org")
    redis_for_everything.stop()

    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": "lid@example.org", "password": "fout"})
    response = client.post(reverse("account_login"), {"login": "lid@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert "Te veel inlogpogingen" in response.content.decode()


def test_a_hung_broker_holds_the_deliver_now_nudge_up_for_at_most_a_second(redis_for_everything, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "nudge"}}
    redis_for_everything.pause()

    started = time.monotonic()
    outbox._nudge_now()
    assert time.monotonic() - started < 1.2
