"""The runbook's restore drill (docs/operations.md), on PostgreSQL: dump, restore into a fresh database, and
a fresh process with only the restored database and the three key sets reads the private notes, publishes
the sealed evaluation ballots and delivers the waiting mail. Without the keys it can do neither, and says so.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from conftest import BASE_DIR, _worker_database_url, skip_or_fail
from evaluations import services as evaluation_services
from evaluations.models import Role
from evaluations.tests.factories import EvaluationRoundFactory, add_responses
from matching.tests.factories import ActiveMatchFactory
from meetings import services as meeting_services
from meetings.tests.factories import HeldMeetingFactory
from notifications import outbox
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Ze overweegt een overstap naar de advocatuur."

# Runs in the fresh process against the restored database (publishing as the night after the round closed);
# prints one JSON line.
VERIFY = """
import datetime, json
from evaluations import services as evaluations
from evaluations.models import EvaluationRound, Response
from meetings import selectors as meetings
from meetings.models import Meeting
from core.tasks import task_by_name
from notifications.models import OutboxMessage
result = {}
meeting = Meeting.objects.select_related("match__mentee").get(pk=MEETING)
try:
    result["note"] = meetings.private_note_text(meeting=meeting, user=meeting.match.mentee)
except Exception as exc:
    result["note"] = type(exc).__name__
round_ = EvaluationRound.objects.get(pk=ROUND)
try:
    result["published"] = evaluations.round_publish(round=round_, day=round_.closes_on + datetime.timedelta(days=1))
except Exception as exc:
    result["published"] = type(exc).__name__
result["responses"] = Response.objects.filter(round=round_).count()
if DELIVER:
    task_by_name("notifications.deliver_due").apply()  # what beat starts every minute
result["sent"] = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count()
print("RESULT " + json.dumps(result))
"""


def key_sets() -> dict:
    return {name: Fernet.generate_key().decode() for name in ("MEETING_NOTES_KEYS", "EVALUATION_SEAL_KEYS")}


def run(args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120, **kwargs)


def verify_in_fresh_process(database_url, keys, mail_dir, *, meeting, round_, deliver):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentorprogramma.settings_test",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_BACKEND_OVERRIDE": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        **keys,
    }
    script = VERIFY.replace("MEETING", str(meeting.pk)).replace("ROUND", str(round_.pk))
    script = script.replace("DELIVER", str(deliver))
    out = run([sys.executable, "manage.py", "shell", "-c", script], cwd=BASE_DIR, env=env).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.fixture
def postgresql_tools():
    if connection.vendor != "postgresql":
        skip_or_fail("The restore drill needs PostgreSQL (pg_dump, pg_restore): set DATABASE_URL to run it.")
    for tool in ("pg_dump", "pg_restore", "psql"):
        if not shutil.which(tool):
            skip_or_fail(f"{tool} is not installed: the restore drill needs the PostgreSQL client tools.")


@pytest.fixture
def restored_database():
    source = _worker_database_url()
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = source.rsplit("/", 1)[0] + "/postgres"
    run(["psql", admin, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"'])
    yield source, source.rsplit("/", 1)[0] + f"/{name}"
    run(["psql", admin, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


def test_a_dump_restored_into_a_fresh_database_with_the_keys_reads_notes_publishes_ballots_and_sends_mail(
    postgresql_tools, restored_database, settings, tmp_path
):
    keys = {
        "MEETING_NOTES_KEYS": Fernet.generate_key().decode(),
        "EVALUATION_SEAL_KEYS": Fernet.generate_key().decode(),
    }
    settings.MEETING_NOTES_KEYS = [keys["MEETING_NOTES_KEYS"]]
    settings.EVALUATION_SEAL_KEYS = [keys["EVALUATION_SEAL_KEYS"]]
    source, target = restored_database

    # The live site: a private note, a closed round's sealed ballots, a mail still waiting.
    pair = ActiveMatchFactory()
    meeting = HeldMeetingFactory(match=pair)
    meeting_services.private_note_save(meeting=meeting, author=pair.mentee, text=NOTE)
    round_ = EvaluationRoundFactory()
    evaluation_services.round_add_default_questions(round=round_)
    add_responses(round_, Role.MENTEE, 3)
    # Saved as the outbox does, without the nudge (this test's Celery runs in-process and would send it).
    waiting = outbox.message_build(kind=OutboxMessage.Kind.MATCH_MENTEE, recipient=pair.mentee, about=pair)
    waiting.save()

    # The backup (docs/operations.md): custom format, then restored into an empty database.
    backup = tmp_path / "mentorprogramma.dump"
    run(["pg_dump", "--format=custom", "--no-owner", f"--file={backup}", source])
    run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", str(backup)])
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    # Without the keys (lost with the server): nothing can be read or published, and nothing is lost either.
    other = {
        "MEETING_NOTES_KEYS": Fernet.generate_key().decode(),
        "EVALUATION_SEAL_KEYS": Fernet.generate_key().decode(),
    }
    lost = verify_in_fresh_process(target, other, mail_dir, meeting=meeting, round_=round_, deliver=False)
    # None: the note exists but no configured key opens it.
    assert lost == {"note": None, "published": "UnreadableBallots", "responses": 0, "sent": 0}

    # With the escrowed keys: everything works on the restored database.
    restored = verify_in_fresh_process(target, keys, mail_dir, meeting=meeting, round_=round_, deliver=True)
    assert restored == {"note": NOTE, "published": 3, "responses": 3, "sent": 1}
    mails = [path.read_text(errors="replace") for path in Path(mail_dir).glob("*")]
    assert len(mails) == 1
    assert pair.mentee.email in mails[0]
