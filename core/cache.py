"""A Redis cache that is an accelerator, never a single point of failure.

Django's RedisCache raises when Redis is down and waits for ever when it hangs (SIGSTOP, a full
network buffer). This backend gives every call a short socket timeout and no retries, and when
Redis fails it logs one warning and answers from a memory cache in this process instead, for
`FALLBACK_SECONDS`, before it tries Redis again. So while Redis is away:

- every page and form works, at most one short timeout slower per process and outage;
- what is only an accelerator (the Koppelscherm's candidate set, the nudge flag) is kept per process;
- allauth's rate limits (login, sign-up, password reset) and its used-TOTP-code guard keep counting
  per visitor in the process's memory: with N web workers a visitor gets at most N times the limit,
  never an unlimited number of tries and never a refusal because the store is down.

When Redis answers again, the shared values are used again (the memory copy is dropped).
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

FALLBACK_SECONDS = 30
SOCKET_TIMEOUT_SECONDS = 0.5


class FailSoftRedisCache(RedisCache):
    """RedisCache with short timeouts that falls back to a per-process memory cache while Redis fails."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        fallback_seconds = options.pop("fallback_seconds", FALLBACK_SECONDS)
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("retry_on_timeout", False)
        if "retry" not in options:
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            options["retry"] = Retry(NoBackoff(), 0)  # one try: a hung Redis costs one timeout, not four
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.fallback_seconds = fallback_seconds
        self._fallback = LocMemCache(f"fail-soft:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0
        self._lock = threading.Lock()

    # -- the switch ---------------------------------------------------------------------------

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, operation: str, error: Exception) -> None:
        with self._lock:
            first = not self.redis_down
            self._down_until = time.monotonic() + self.fallback_seconds
        if first:
            logger.warning(
                "Cache (Redis) failed on %s: %s. Using this process's memory for %s s; pages keep working.",
                operation,
                error,
                self.fallback_seconds,
            )

    def _call(self, operation: str, *args, **kwargs):
        if not self.redis_down:
            try:
                result = getattr(super(), operation)(*args, **kwargs)
            except ValueError:  # incr of a missing key: the caller's answer, not an outage
                raise
            except Exception as error:  # noqa: BLE001 - any Redis or socket error means: not now
                self._failed(operation, error)
            else:
                if self._fallback._cache:  # back from an outage: the shared values count again
                    self._fallback.clear()
                return result
        return getattr(self._fallback, operation)(*args, **kwargs)

    # -- every operation Django's cache API offers --------------------------------------------

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        self._fallback.clear()
        return self._call("clear")
