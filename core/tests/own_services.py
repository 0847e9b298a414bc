"""Services a test starts, stops and freezes itself (never the shared Redis on 6379 or PostgreSQL)."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import skip_or_fail


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout=60, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


class OwnRedis:
    """A throwaway redis-server on a free port: stop() it (down) or pause() it (hung, SIGSTOP)."""

    def __init__(self):
        self.port = free_port()
        self.process = None
        self.paused = False

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_until(self._answers, timeout=10), "redis-server did not start"
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def pause(self):
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def stop(self):
        if self.process and self.process.poll() is None:
            if self.paused:
                self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis():
    if not shutil.which("redis-server"):
        skip_or_fail("redis-server is not installed: the Redis-outage tests start their own.")
    redis = OwnRedis().start()
    yield redis
    redis.stop()
