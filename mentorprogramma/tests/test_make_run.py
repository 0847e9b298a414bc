"""`make run` on another port must give mails links to that port (issue 15 §7)."""

import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_points_the_site_url_at_the_port_it_serves_on():
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout

    serve = [line for line in plan.splitlines() if "runserver" in line]
    assert serve == ["SITE_URL=http://127.0.0.1:8123 .venv/bin/python manage.py runserver 127.0.0.1:8123"]
    assert "SITE_URL=http://127.0.0.1:8123 .venv/bin/python manage.py load_demo_data" in plan
