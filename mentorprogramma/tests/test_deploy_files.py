"""The process definitions agree with deploy/ (make deploy-check runs the stack itself)."""

import runpy

import pytest

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


def gunicorn_config(monkeypatch, **environment) -> dict:
    for name in ("GUNICORN_POOL", "GUNICORN_BIND", "GUNICORN_COORDINATORS_BIND", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "deploy" / "gunicorn.conf.py"))


def test_the_coordinators_pool_listens_where_nginx_sends_the_admin_and_the_cockpit(monkeypatch):
    members = gunicorn_config(monkeypatch, PORT="8000")
    coordinators = gunicorn_config(monkeypatch, GUNICORN_POOL="coordinators")
    nginx = (BASE_DIR / "deploy/nginx/mentorprogramma.conf").read_text()
    assert members["bind"] == "0.0.0.0:8000" and "server 127.0.0.1:8000;" in nginx
    assert coordinators["bind"] == "127.0.0.1:8001" and "server 127.0.0.1:8001;" in nginx
    assert "~^/(admin|coordinatie)/ mentorprogramma_coordinators;" in nginx
    assert "proxy_pass http://$mentorprogramma_pool;" in nginx
    # Two pools on one machine must not claim one control socket.
    assert members["control_socket_disable"] and coordinators["control_socket_disable"]


def test_the_coordinators_unit_starts_that_pool_first_in_line_for_the_cpu_and_background_work_last():
    unit = (BASE_DIR / "deploy/systemd/mentorprogramma-web-coordinators.service").read_text()
    assert "Environment=GUNICORN_POOL=coordinators" in unit and "-c deploy/gunicorn.conf.py" in unit
    assert "Nice=-10" in unit
    assert "Nice=10" in (BASE_DIR / "deploy/systemd/mentorprogramma-worker.service").read_text()


def test_an_unknown_pool_is_refused_at_start(monkeypatch):
    with pytest.raises(SystemExit):
        gunicorn_config(monkeypatch, GUNICORN_POOL="everyone")


def test_each_worker_takes_its_share_of_connections_and_freezes_its_start_up_heap(monkeypatch):
    import gc

    config = gunicorn_config(monkeypatch)
    # One shared socket let the first worker to wake hold most kept-alive connections (37 of 50).
    assert config["reuse_port"] is True
    assert gc.get_freeze_count() == 0
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
