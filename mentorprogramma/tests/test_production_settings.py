import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-key-Qp7rT2vX9zL4mN8bK3wH6jD1sF5gA0cE",
    "ALLOWED_HOSTS": "mentorprogramma.example.org",
    "DATABASE_URL": "postgres://mentor:secret@db.example.org:5432/mentorprogramma",
    "MEETING_NOTES_KEYS": "dGVzdC1rZXktZm9yLXRoZS1kZXBsb3ktY2hlY2stMDA=",
    "SITE_URL": "https://mentorprogramma.example.org",
}


def _manage(*args, env):
    clean = {
        key: value
        for key, value in os.environ.items()
        # The real settings, not the test suite's (pytest exports DJANGO_SETTINGS_MODULE).
        if key not in PRODUCTION_ENV and key not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_any_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_each_required_secret():
    for missing in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "MEETING_NOTES_KEYS", "SITE_URL"):
        env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

        result = _manage("check", env=env)

        assert result.returncode != 0, missing
        assert missing in result.stderr
