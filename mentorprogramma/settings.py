"""Settings for Mentorprogramma, read from the environment (django-environ).

Development needs nothing installed: without DATABASE_URL the database is SQLite,
without REDIS_URL Celery runs tasks in-process and the cache lives in memory,
without EMAIL_HOST mail goes to the console and to var/mail/.

Production (DJANGO_ENV=production) refuses to start without SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL, and turns on every deploy-time safeguard.
Every variable is documented in .env.example and README.md.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

DJANGO_ENV = env("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    # No defaults: a missing secret must stop the process, not fall back silently.
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key-not-for-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
    DEBUG = env.bool("DEBUG", default=True)

# Django's technical 404 (URL list) and 500 (traceback) pages only when a developer asks for them
# explicitly; otherwise development shows the programme's own pages too (core.middleware).
DEBUG_TECHNICAL_PAGES = DEBUG and env.bool("DEBUG_TECHNICAL_PAGES", default=False)

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.apps.MentorprogrammaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "csp",
    "core",
    "mentorprogramma",
    "accounts",
    "matching",
    "goals",
    "meetings",
    "evaluations",
    "notifications",
    "coordination",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the session and language, so its 400 page speaks the visitor's language.
    "core.middleware.RejectNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A member without a programme profile is led to the profile step first.
    "accounts.middleware.ProfileStepMiddleware",
    # With DEBUG, the site's own 404/500 pages unless DEBUG_TECHNICAL_PAGES asks for Django's.
    "core.middleware.SiteErrorPagesMiddleware",
]

ROOT_URLCONF = "mentorprogramma.urls"
WSGI_APPLICATION = "mentorprogramma.wsgi.application"
ASGI_APPLICATION = "mentorprogramma.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.programme",
            ],
        },
    },
]

# Database: SQLite on a laptop, PostgreSQL (DATABASE_URL) in CI and production.
if PRODUCTION:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

# Cache: allauth's rate limits need a shared cache, so Redis when configured. Redis is an accelerator,
# never a single point of failure: core.cache.FailSoftRedisCache answers within half a second and,
# while Redis is down or hung, from this process's memory (rate limits then count per process).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": env("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "mentorprogramma",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mentorprogramma] "
# allauth's e-mails go through the outbox (retried, visible to coordinators), in the programme's wording.
ACCOUNT_ADAPTER = "notifications.account_adapter.OutboxAccountAdapter"
# Tell her when her password, e-mail address or second step changes, so a stranger in her account
# does not go unnoticed (in our wording: notifications.emails.accounts.SECURITY_NOTICES).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Rate limits count per client address. Behind the production proxy REMOTE_ADDR is the proxy's
# own address, so the limits would lock everyone out at once: set the number of proxies that
# append to X-Forwarded-For (1 behind one proxy). Never above 0 without a proxy: the header is
# the client's to forge then.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
# allauth's defaults, spelled out so a reader sees the limits are on; sign-up is stricter
# than allauth's 20 a minute, which let one address send 1,200 confirmation mails an hour.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}

# Second factor (allauth.mfa, see core/mfa.py): authenticator apps, security keys and
# passkeys, with recovery codes. Coordinators must have one before the admin opens; members may.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Mentorprogramma NOB Vrouwennetwerk"
# Also the code of the 30 seconds before or after: a phone clock that is a little off still works.
MFA_TOTP_TOLERANCE = 1
# Security keys on http://127.0.0.1 during development; production is HTTPS only.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION

# Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

# Static files -----------------------------------------------------------------
STATIC_URL = "static/"
# collectstatic writes here; nginx serves it in production (deploy/nginx).
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production whitenoise serves straight from the app folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG and not PRODUCTION

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail ---------------------------------------------------------------------
# R15: the network's address for questions, shown in the footer and used as reply-to.
PROGRAMME_CONTACT_EMAIL = env("PROGRAMME_CONTACT_EMAIL", default="vrouwennetwerk@nob.net")
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default=f"NOB Vrouwennetwerk Mentorprogramma <{PROGRAMME_CONTACT_EMAIL}>"
)
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Mail headers carry the programme's clock (Date: … +0100), not UTC's "-0000".
EMAIL_USE_LOCALTIME = True
EMAIL_HOST = env("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "core.mail.SMTPEmailBackend"  # Django's, telling whether a server may have accepted a mail
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
else:
    # Console for the developer's eyes, a folder so a message can be opened later.
    EMAIL_BACKEND = "core.mail.ConsoleAndFileEmailBackend"
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")

# Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without Redis a laptop runs tasks in-process, so nothing needs starting.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must answer fast: a request only nudges a worker (after recording its mail
# in the database) and carries on without it, so publishing tries twice, not for ever.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    "socket_connect_timeout": 3,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# The matching proposal job (matching/proposals.py): bench/matching.py measured 333 s of CPU for the
# documented 50,000 x 25,000 cycle, so a worker solves cycles up to that size within the soft limit.
MATCHING_PROPOSAL_SOFT_TIME_LIMIT = env.int("MATCHING_PROPOSAL_SOFT_TIME_LIMIT", default=15 * 60)
MATCHING_PROPOSAL_TIME_LIMIT = env.int("MATCHING_PROPOSAL_TIME_LIMIT", default=16 * 60)
# A proposal still waiting or running this long after the hard limit is shown as failed (its worker died).
MATCHING_PROPOSAL_QUEUE_ALLOWANCE_SECONDS = env.int("MATCHING_PROPOSAL_QUEUE_ALLOWANCE_SECONDS", default=2 * 60)
# Every periodic job, in one place (times in CELERY_TIMEZONE). Beat only starts jobs;
# each job reads what is due from the database, so no long ETAs sit on the broker.
NOTIFICATIONS_DAILY_HOUR = env.int("NOTIFICATIONS_DAILY_HOUR", default=7)
# Issue 26 §4: both partners are reminded of a planned meeting the day before, from this hour (Europe/Amsterdam).
MEETING_REMINDER_HOUR = env.int("MEETING_REMINDER_HOUR", default=18)
# Days the "did the meeting take place?" links in the e-mail stay valid.
MEETING_ANSWER_LINK_DAYS = env.int("MEETING_ANSWER_LINK_DAYS", default=14)
CELERY_BEAT_SCHEDULE = {
    # Early morning: complete the pairs whose year is over and who do not continue (R4).
    "matching-complete-finished-matches": {
        "task": "matching.complete_finished_matches",
        "schedule": crontab(hour=(NOTIFICATIONS_DAILY_HOUR - 1) % 24, minute=0),
    },
    # Before the daily mail: publish the sealed answers of rounds that closed (R14).
    "evaluations-publish-closed-rounds": {
        "task": "evaluations.publish_closed_rounds",
        "schedule": crontab(hour=(NOTIFICATIONS_DAILY_HOUR - 1) % 24, minute=30),
    },
    # Just after midnight: pairs matched before the cycle's start become active on their start date.
    "matching-start-due-matches": {"task": "matching.start_due_matches", "schedule": crontab(hour=0, minute=5)},
    "notifications-daily": {
        "task": "notifications.run_daily_jobs",
        "schedule": crontab(hour=NOTIFICATIONS_DAILY_HOUR, minute=0),
    },
    "coordination-weekly-digest": {
        "task": "coordination.send_coordinator_digest",
        "schedule": crontab(hour=NOTIFICATIONS_DAILY_HOUR, minute=30, day_of_week="monday"),
    },
    # Picks up retries that are due and messages a crashed worker left behind.
    "notifications-deliver-due": {"task": "notifications.deliver_due", "schedule": 60.0},
    # Meeting reminders the day before and "did it happen?" after the end (the daily job records them too).
    "notifications-meeting-messages": {
        "task": "notifications.record_meeting_messages",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
}

# Health (/health/live, /health/ready, `manage.py health`; see docs/operations.md) -------------
# Beat starts core.beat_heartbeat this often; /health/ready fails when its last run is older than twice this.
HEALTH_BEAT_INTERVAL_SECONDS = env.int("HEALTH_BEAT_INTERVAL_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["core-beat-heartbeat"] = {
    "task": "core.beat_heartbeat",
    "schedule": float(HEALTH_BEAT_INTERVAL_SECONDS),
    "options": {"expires": HEALTH_BEAT_INTERVAL_SECONDS},
}
# Seconds /health/ready waits for a worker to answer the core.health task.
HEALTH_WORKER_TIMEOUT_SECONDS = env.float("HEALTH_WORKER_TIMEOUT_SECONDS", default=5)
# A due e-mail waiting longer than this many minutes fails the check (no worker, mail server down).
HEALTH_MAIL_MAX_WAIT_MINUTES = env.int("HEALTH_MAIL_MAX_WAIT_MINUTES", default=15)
# More e-mails failed for good in the last 24 hours than this fails the check (one bad address is not an incident).
HEALTH_MAIL_MAX_FAILED_PER_DAY = env.int("HEALTH_MAIL_MAX_FAILED_PER_DAY", default=5)

# Security ---------------------------------------------------------------------
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Request size: form fields (not files) up to 2.5 MB in memory and 2,000 fields; an uploaded file
# above 2.5 MB is spooled to a temporary file, never held whole in memory. The one upload, the
# member list, is refused above 10 MB by its form (accounts.member_list.MAX_UPLOAD_BYTES); the web
# server in front caps the whole request body (README: client_max_body_size 12m).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Bootstrap and our own assets come from 'self'; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# A monitor on the server itself may ask gunicorn directly over HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Matching app settings (cycles, matches, renewal) --------------------------------
# R5: who starts the new term once mentor and mentee both want to continue:
# "coordinator" (a coordinator confirms it in the admin) or "system" (at once, on the second yes).
MATCHING_RENEWAL_STARTED_BY = env.str("MATCHING_RENEWAL_STARTED_BY", default="coordinator")
if MATCHING_RENEWAL_STARTED_BY not in {"coordinator", "system"}:
    raise ImproperlyConfigured("MATCHING_RENEWAL_STARTED_BY must be 'coordinator' or 'system'.")
# R8, first contact: a friendly reminder to the mentee when neither "I have made contact" nor a
# planned meeting came this many days after the match; coordinators see the pair after the second.
MATCHING_FIRST_CONTACT_REMINDER_DAYS = env.int("MATCHING_FIRST_CONTACT_REMINDER_DAYS", default=14)
MATCHING_FIRST_CONTACT_ALERT_DAYS = env.int("MATCHING_FIRST_CONTACT_ALERT_DAYS", default=21)
# Issue 25 §2: the score bonus for a mentee's 1st, 2nd and 3rd choice of mentor, e.g. "40,30,20".
# Empty: matching/scoring.py's default (DEFAULT_CHOICE_POINTS), the one home of the rule.
MATCHING_CHOICE_POINTS = tuple(env.list("MATCHING_CHOICE_POINTS", cast=int, default=[]))
if MATCHING_CHOICE_POINTS and (
    len(MATCHING_CHOICE_POINTS) != 3
    or min(MATCHING_CHOICE_POINTS) < 0
    or list(MATCHING_CHOICE_POINTS) != sorted(MATCHING_CHOICE_POINTS, reverse=True)
):
    raise ImproperlyConfigured("MATCHING_CHOICE_POINTS must be three non-negative numbers, largest first.")
# Issue 25 §3: after a coordinator confirms a pair the mentor agrees first (on her page, within
# MATCHING_MENTOR_ACCEPT_DAYS days, a reminder two days before); only her yes sends the mentee her
# contact details (R8). False: the pair is matched at once, as before.
MATCHING_MENTOR_ACCEPTS = env.bool("MATCHING_MENTOR_ACCEPTS", default=True)
MATCHING_MENTOR_ACCEPT_DAYS = env.int("MATCHING_MENTOR_ACCEPT_DAYS", default=5)

# Meetings app settings (meetings, private notes, calendar) -------------------------
# Fernet keys that encrypt private meeting notes (R11), comma-separated, newest first;
# see meetings/crypto.py for rotation. Required in production; elsewhere, when unset,
# meetings.crypto derives a key from SECRET_KEY so development needs nothing.
MEETING_NOTES_KEYS = env.list("MEETING_NOTES_KEYS") if PRODUCTION else env.list("MEETING_NOTES_KEYS", default=[])

# Evaluations app settings (anonymous evaluations, thresholds) ------------------------
# The one home of the thresholds' defaults (R14); evaluations.selectors reads them, never below 3.
# Responses a group (round x role) needs before its results are shown.
EVALUATION_MIN_GROUP_SIZE = env.int("EVALUATION_MIN_GROUP_SIZE", default=5)
# Responses a group needs before its open answers are shown (written text is easier to recognise).
EVALUATION_MIN_OPEN_ANSWERS = env.int("EVALUATION_MIN_OPEN_ANSWERS", default=8)
# Fernet keys that seal evaluation answers until the round is published (R14), comma-separated,
# newest first; see evaluations/sealing.py for rotation. Required in production; elsewhere, when
# unset, a key is derived from SECRET_KEY so development needs nothing.
EVALUATION_SEAL_KEYS = env.list("EVALUATION_SEAL_KEYS") if PRODUCTION else env.list("EVALUATION_SEAL_KEYS", default=[])

# Notifications settings (outbox, reminders) ---------------------------------------------
# The site's address for links in e-mail (no request exists in a Celery worker).
SITE_URL = (env("SITE_URL") if PRODUCTION else env("SITE_URL", default="http://127.0.0.1:8000")).rstrip("/")
# Delivery: a failed attempt waits base * 2**(attempt - 1) seconds; after the last it is marked failed.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
# A message left "sending" this long belongs to a worker that died: another run takes it over.
NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = env.int("NOTIFICATIONS_SENDING_TIMEOUT_SECONDS", default=10 * 60)
NOTIFICATIONS_BATCH_SIZE = env.int("NOTIFICATIONS_BATCH_SIZE", default=100)
# One delivery run sends batch after batch for this long, then hands the rest to a fresh run.
NOTIFICATIONS_DELIVERY_BUDGET_SECONDS = env.int("NOTIFICATIONS_DELIVERY_BUDGET_SECONDS", default=45)
# A "deliver now" nudge waiting on the broker is not repeated within this many seconds.
NOTIFICATIONS_NUDGE_SECONDS = env.int("NOTIFICATIONS_NUDGE_SECONDS", default=60)

# Retention (AVG art. 5(1)(e)): how long the programme keeps what (accounts/retention.py) ---------
# A member who has not taken part (no live pair, application or pair ending) and not logged in for
# this many years is erased, after a warning mail RETENTION_WARNING_DAYS before.
RETENTION_INACTIVE_YEARS = env.int("RETENTION_INACTIVE_YEARS", default=2)
RETENTION_WARNING_DAYS = env.int("RETENTION_WARNING_DAYS", default=30)
# E-mail messages keep only kind, dates and status after this many days.
RETENTION_OUTBOX_DAYS = env.int("RETENTION_OUTBOX_DAYS", default=90)
# Rows of a superseded member list are removed this many days after a newer import.
# Private meeting notes are deleted this many months after the pair ended (both warned a month before).
RETENTION_NOTES_MONTHS = env.int("RETENTION_NOTES_MONTHS", default=12)
CELERY_BEAT_SCHEDULE["accounts-purge-expired-data"] = {
    "task": "accounts.purge_expired_data",
    "schedule": crontab(hour=(NOTIFICATIONS_DAILY_HOUR - 2) % 24, minute=30),
}
