"""`.env.example` invites `cp .env.example .env`: doing so on a laptop must change nothing (SQLite, no Redis)."""

from django.conf import settings

from conftest import BASE_DIR


def active_lines() -> dict[str, str]:
    lines = (BASE_DIR / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.lstrip().startswith("#"))


def test_copying_env_example_keeps_a_laptop_on_sqlite_without_redis_or_smtp():
    active = active_lines()
    for production_only in ("DJANGO_ENV", "DATABASE_URL", "REDIS_URL", "CACHE_URL", "EMAIL_HOST", "SECRET_KEY"):
        assert production_only not in active, f"{production_only} is set in .env.example"


def test_every_active_line_of_env_example_is_the_default_already():
    for name, value in active_lines().items():
        assert str(getattr(settings, name)) == value, f".env.example changes {name}"
