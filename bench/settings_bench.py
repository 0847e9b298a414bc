"""Settings for `make bench` only: the normal settings plus a trivial view to measure pages against.

The trivial view (`/bench/trivial/`) goes through the same middleware and log-in as every page
but renders a few bytes with no query of its own, so each page's figure reads as a share of
what this machine can do at all in the same run. It exists only under these settings.
"""

from mentorprogramma.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# Real-world-like: no query logging, templates cached.
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# As in production: one database connection per worker, kept between requests.
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
