"""Gunicorn's settings for every way the site runs: systemd (deploy/systemd), the Procfile and `make deploy-check`.

Worker class gthread: each worker process serves several requests at once in threads, so a request
that waits (a slow client upload nginx could not buffer, a slow database) does not hold a whole
process as a sync worker would. nginx buffers requests and responses in front of it.

Sizing (workers x threads = requests served at once; each thread may keep a database connection):
- 2-core server:  WEB_CONCURRENCY=3, GUNICORN_THREADS=4 -> 12 at once, ~3 x 120 MB memory,
  up to 12 PostgreSQL connections (plus the Celery worker's).
- 8-core server:  WEB_CONCURRENCY=9, GUNICORN_THREADS=4 -> 36 at once, ~1.1 GB memory,
  up to 36 PostgreSQL connections: keep workers x threads + worker concurrency below PostgreSQL's
  max_connections (100 by default).
Rule of thumb: workers = cores + 1 (Python runs one thread per process at a time), threads 2-4.

Two pools (GUNICORN_POOL): "members" (the default: every page but the coordinators') and
"coordinators" (/admin/ and /coordinatie/, routed there by nginx). The Koppelscherm and the cockpit
cost a hundred times a member page; in a pool of their own, at a higher CPU priority (Nice=-10 in
deploy/systemd/mentorprogramma-web-coordinators.service), a coordinator's page is not queued behind an
evening peak of members, and a member's page never waits behind a Koppelscherm. Coordinators are few:
COORDINATORS_WEB_CONCURRENCY=1 worker x COORDINATORS_THREADS=4 (about 120 MB) on any server size: one
process keeps the Koppelscherm's candidate set in memory after a change; a second one would read it
from Redis again after every change (about 100 ms more for the first page after it).
Without the second pool (a PaaS with one web process, the Procfile) the members' pool serves everything.
"""

import os

POOL = os.environ.get("GUNICORN_POOL", "members")
if POOL not in {"members", "coordinators"}:
    raise SystemExit(f"GUNICORN_POOL must be 'members' or 'coordinators', not {POOL!r}")
worker_class = "gthread"
if POOL == "coordinators":
    bind = os.environ.get("GUNICORN_COORDINATORS_BIND", "127.0.0.1:8001")
    workers = int(os.environ.get("COORDINATORS_WEB_CONCURRENCY", "1"))
    threads = int(os.environ.get("COORDINATORS_THREADS", "4"))
    proc_name = "mentorprogramma-coordinators"
else:
    bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
    workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
    threads = int(os.environ.get("GUNICORN_THREADS", "4"))
    proc_name = "mentorprogramma-members"
# A request running longer than this is killed (and logged); nginx's proxy_read_timeout is longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then, so a slow leak never grows without bound. Not every 2,000 requests: at an
# evening peak (100 requests a second over 3 workers) that restarted a worker every minute, and each
# restart (importing Django, a cold first request, the clients of its kept-alive connections reconnecting)
# fell exactly in the peak. 20,000 is a few times a day on a quiet day and every ten minutes at a peak.
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
errorlog = "-"
# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections over them.
# With one shared socket, the worker that woke first took most connections: in the load benchmark one of
# three workers held 37 of 50 kept-alive connections (a process runs Python on one core at a time), so the
# other core idled while that worker's queue grew. Set net.ipv4.tcp_migrate_req=1 (docs/operations.md) so
# a connection waiting on a worker that is recycled moves to another instead of being reset.
reuse_port = True


def post_worker_init(worker):
    """Freeze what importing the site left on the heap, so a full garbage collection in a request skips it.

    Django, the apps and their modules are some 100,000 long-lived objects; every full collection walked
    them all again (about 100 ms in a request, a spike in the slowest pages). They never become garbage.
    """
    import gc

    gc.collect()
    gc.freeze()


# No control socket: both pools (and `make deploy-check`, the load benchmark) would claim the same path in
# the user's home; systemd and the runbook manage gunicorn by its signals (HUP, TERM).
control_socket_disable = True
# Only nginx on this machine may say which scheme the visitor used (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
