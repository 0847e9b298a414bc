"""The process definitions agree with deploy/ (make deploy-check runs the stack itself)."""

import runpy

from conftest import BASE_DIR


def procfile() -> dict[str, str]:
    lines = (BASE_DIR / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_release_only_migrates_because_the_compiled_translations_are_committed():
    assert procfile()["release"] == "python manage.py migrate --noinput"
    assert list((BASE_DIR / "locale").glob("*/LC_MESSAGES/django.mo"))


def test_web_runs_gunicorn_with_gthread_workers_from_the_shared_config(monkeypatch):
    assert "-c deploy/gunicorn.conf.py" in procfile()["web"]
    monkeypatch.setenv("PORT", "5000")
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    config = runpy.run_path(str(BASE_DIR / "deploy" / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread"
    assert config["threads"] > 1
    assert config["bind"] == "0.0.0.0:5000"


def test_systemd_units_use_the_same_config_and_exactly_one_beat():
    web = (BASE_DIR / "deploy/systemd/mentorprogramma-web.service").read_text()
    assert "-c deploy/gunicorn.conf.py" in web
    beat = (BASE_DIR / "deploy/systemd/mentorprogramma-beat.service").read_text()
    assert "EXACTLY ONE" in beat
