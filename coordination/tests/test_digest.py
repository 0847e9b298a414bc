"""The coordinators' weekly digest (the roof): the cockpit's one "needs attention" by e-mail, once a week."""

import ast
import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import VerificationStatus
from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory
from coordination import cockpit, digest, tasks
from matching import services as matching_services
from matching.models import Cycle
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from notifications.models import OutboxMessage
from notifications.tests.conftest import bodies

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
SECRET_QUESTION = "Mijn leidinggevende en ik botsen over mijn deeltijd (vertrouwelijk)"
MONDAY = datetime.date(2027, 3, 1)


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 0)), tick=False)


@pytest.fixture
def sent():
    from django.core import mail

    return mail.outbox


@pytest.fixture
def programme():
    """Two coordinators, one member awaiting verification, one mentee waiting for a match, one matched."""
    coordinators = [CoordinatorFactory(full_name="Carla Coördinator"), CoordinatorFactory(language="en")]
    ProfileFactory(verification_status=VerificationStatus.PENDING)
    cycle = CycleFactory(status=Cycle.Status.MATCHING)
    waiting = ApplicationFactory(cycle=cycle, mentoring_question=SECRET_QUESTION)
    matched = ApplicationFactory(cycle=cycle)
    ActiveMatchFactory(cycle=cycle, mentee=matched.member)
    return {"coordinators": coordinators, "waiting": waiting}


def send_digest(day, django_capture_on_commit_callbacks):
    with on(day), django_capture_on_commit_callbacks(execute=True):
        return tasks.send_coordinator_digest.delay().get()


def to(sent, user):
    return [email for email in sent if email.to == [user.email]]


def test_coordinators_get_a_weekly_digest_with_counts_and_links(programme, sent, django_capture_on_commit_callbacks):
    MemberFactory()  # an ordinary member gets no digest

    assert send_digest(MONDAY, django_capture_on_commit_callbacks) == 2

    assert sorted(email.to[0] for email in sent) == sorted(c.email for c in programme["coordinators"])
    dutch = next(email for email in sent if email.to == [programme["coordinators"][0].email])
    assert dutch.subject == "Wekelijks overzicht van het mentorprogramma (2027-W09)"
    assert "Leden die wachten op verificatie: 1 (" in dutch.body
    assert "Mentees die wachten op een mentor: 1\n" in dutch.body
    assert "http://127.0.0.1:8000/admin/accounts/profile/?verification_status__exact=pending" in dutch.body
    assert "omdat je coördinator bent van het mentorprogramma" in dutch.body
    assert "omdat je meedoet aan het mentorprogramma" not in dutch.body
    english = next(email for email in sent if email.to == [programme["coordinators"][1].email])
    assert "Mentees waiting for a mentor: 1\n" in english.body
    assert "because you are a coordinator of the mentor programme" in english.alternatives[0][0]


def test_the_digest_is_the_cockpits_needs_attention_for_every_cycle(
    programme, sent, django_capture_on_commit_callbacks
):
    # A pair of another (running) cycle that is quiet: the digest, like the page without a chosen cycle, lists it.
    quiet = ActiveMatchFactory(start_date=MONDAY - datetime.timedelta(weeks=7))

    send_digest(MONDAY, django_capture_on_commit_callbacks)

    dutch = next(email for email in sent if email.to == [programme["coordinators"][0].email])
    with on(MONDAY):
        items = cockpit.needs_attention(None, today=MONDAY)
    for item in items:
        assert f"{str(item.label)[0].upper()}{str(item.label)[1:]}: {item.count}" in dutch.body
    assert f"{quiet.mentor} – {quiet.mentee}" in dutch.body


def test_the_digest_points_at_the_cockpits_next_step(programme, sent, django_capture_on_commit_callbacks):
    send_digest(MONDAY, django_capture_on_commit_callbacks)

    dutch = next(email for email in sent if email.to == [programme["coordinators"][0].email])
    with on(MONDAY):
        step = cockpit.programme_next_step()
        page = cockpit.cockpit()
    assert step == page["next_step"]
    assert f"Volgende stap: {step.label}" in dutch.body
    assert "http://127.0.0.1:8000/coordinatie/" in dutch.body


def test_the_digest_names_no_waiting_mentee_and_quotes_no_mentorvraag(
    programme, sent, django_capture_on_commit_callbacks
):
    send_digest(MONDAY, django_capture_on_commit_callbacks)

    waiting = programme["waiting"].member
    for email in sent:
        text = bodies(email)
        assert SECRET_QUESTION not in text
        assert waiting.full_name not in text
        assert waiting.email not in text


def test_the_digest_goes_out_once_per_week(programme, sent, django_capture_on_commit_callbacks):
    for day in [MONDAY, MONDAY, datetime.date(2027, 3, 7)]:
        send_digest(day, django_capture_on_commit_callbacks)
    assert len(sent) == 2

    send_digest(datetime.date(2027, 3, 8), django_capture_on_commit_callbacks)
    assert len(sent) == 4


def test_beat_sends_the_digest_on_monday_mornings_through_a_registered_task(settings):
    from mentorprogramma.celery import app

    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    app.loader.import_default_modules()

    assert schedule["coordination.send_coordinator_digest"].day_of_week == {1}
    assert "coordination.send_coordinator_digest" in app.tasks


def test_the_digest_points_coordinators_at_failed_e_mails(programme, sent, django_capture_on_commit_callbacks):
    OutboxMessage.objects.create(
        kind=Kind.RENEWAL_QUESTION, recipient=MemberFactory(), status=OutboxMessage.Status.FAILED, subject_id=1
    )

    send_digest(MONDAY, django_capture_on_commit_callbacks)

    dutch = next(email for email in sent if email.to == [programme["coordinators"][0].email])
    assert "E-mails die niet verzonden konden worden: 1" in dutch.body
    assert "/admin/notifications/outboxmessage/?status__exact=failed" in dutch.body


def test_the_digest_lists_the_weeks_withdrawals_and_pairs_without_first_contact(
    sent, django_capture_on_commit_callbacks
):
    coordinator = CoordinatorFactory(language="nl")
    silent = ActiveMatchFactory(confirmed_at=timezone.now() - datetime.timedelta(days=22))
    withdrawn = ApplicationFactory()
    matching_services.application_withdraw(application=withdrawn, by=withdrawn.member)

    with django_capture_on_commit_callbacks(execute=True):
        digest.digest_record()

    (mail,) = to(sent, coordinator)
    assert f"{silent.mentor} – {silent.mentee}" in mail.body
    assert f"{withdrawn.member} (mentee)" in mail.body


def test_the_digest_counts_quiet_pairs_by_the_meetings_apps_rule(sent, django_capture_on_commit_callbacks):
    coordinator = CoordinatorFactory()
    today = timezone.localdate()
    quiet = ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=7))
    ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=5))  # not six weeks yet: not quiet
    met = ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=7))
    MeetingFactory(match=met, status=Meeting.Status.HELD, starts_at=timezone.now() - datetime.timedelta(weeks=2))

    with django_capture_on_commit_callbacks(execute=True):
        digest.digest_record()

    (mail,) = to(sent, coordinator)
    assert f"Mentorschappen zonder gehouden afspraak zes weken na de start: 1 ({quiet.mentor} – {quiet.mentee})" in (
        mail.body
    )


def test_the_command_records_the_digest_for_a_given_day(programme, sent, capsys):
    call_command("send_coordinator_digest", "--day", "2027-03-01")

    assert "coordinator_digest: 2 recorded" in capsys.readouterr().out
    assert OutboxMessage.objects.get(kind=Kind.COORDINATOR_DIGEST, recipient=programme["coordinators"][0]).period == (
        "2027-W09"
    )


def test_no_app_below_the_roof_imports_it():
    """The roof reads every app; the apps reach it only through URL configuration and the digest builder registry."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in ("core", "accounts", "matching", "meetings", "evaluations", "notifications"):
        for path in (root / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                offenders += [
                    f"{path.relative_to(root)}: {name}" for name in names if name.split(".")[0] == "coordination"
                ]
    assert offenders == []
