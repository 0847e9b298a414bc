"""Settings for the test suite and the benchmarks: the application's settings plus test-only switches.

Nothing here can reach production: only pytest.ini and bench/ name this module.
"""

from .settings import *  # noqa: F403
from .settings import env

# Hashing passwords the slow, safe way makes every login in a test cost ~100 ms.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Lets a test or benchmark worker write mail to files whatever EMAIL_HOST says.
if env("EMAIL_BACKEND_OVERRIDE", default=""):
    EMAIL_BACKEND = env("EMAIL_BACKEND_OVERRIDE")

# Issue 25 §3: the suite's flows confirm a pair and expect it matched at once (the mails, the pair page);
# the mentor's consent is switched on, with override_settings, by the tests that are about it.
MATCHING_MENTOR_ACCEPTS = False
