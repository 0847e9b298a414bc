# Mentorprogramma: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mail point at the address `make run` serves on (unless SITE_URL is set).
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test setup migrate messages makemessages lint bench worker beat clean deploy-check

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP) messages

# Compiled catalogues are committed; recompile when gettext is installed so edits show up.
messages: | $(PY)
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(PY) manage.py compilemessages --ignore=.venv --verbosity 0; \
	else \
		echo "gettext (msgfmt) not installed: using the committed .mo files"; \
	fi

makemessages: setup
	$(PY) manage.py makemessages --locale nl --locale en --ignore=.venv --ignore=bench --ignore='*/tests/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

migrate: setup
	$(PY) manage.py migrate --noinput

run: migrate
	SITE_URL=$(SITE_URL) $(PY) manage.py load_demo_data
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

bench: migrate
	@for script in bench/*.py; do \
		case "$$(basename $$script)" in __init__.py|support.py|scale.py|settings_bench.py|urls_bench.py) continue;; esac; \
		$(PY) "$$script" || true; \
	done

# The production stack of deploy/ on free local ports, walked through nginx over HTTPS (deploy/check.py).
deploy-check: setup
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		echo "deploy-check: installing nginx"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light >/dev/null \
			|| DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null; }
	$(PY) deploy/check.py

worker: setup
	$(VENV)/bin/celery -A mentorprogramma worker --loglevel INFO --concurrency 2

beat: setup
	$(VENV)/bin/celery -A mentorprogramma beat --loglevel INFO

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
