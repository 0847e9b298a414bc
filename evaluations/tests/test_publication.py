"""R14: sealed answers are published once, after the round closed: never lost, never doubled."""

import datetime
import hashlib
import logging
from io import StringIO

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import CommandError, call_command

from evaluations import services, tasks
from evaluations.models import Response, Role, SealedBallot
from evaluations.tests.factories import EvaluationRoundFactory, add_responses, publish

WEEK = datetime.timedelta(days=7)

pytestmark = pytest.mark.django_db


def after_close(evaluation_round):
    return evaluation_round.closes_on + datetime.timedelta(days=1)


def published_answers():
    return sorted((response.role, sorted(response.answers.items())) for response in Response.objects.all())


def test_nothing_is_published_while_the_round_is_open(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 3)

    report = services.rounds_publish_closed(day=evaluation_round.closes_on)

    assert report.published == {}
    assert not Response.objects.exists()
    assert SealedBallot.objects.count() == 3


def test_publication_turns_every_ballot_into_a_response_and_deletes_the_ballots(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 3, scale=5)
    add_responses(evaluation_round, Role.MENTOR, 2, scale=1)

    report = services.rounds_publish_closed(day=after_close(evaluation_round))

    assert report.published == {str(evaluation_round): 5}
    assert report.errors == []
    assert sorted(Response.objects.values_list("role", flat=True)) == ["mentee"] * 3 + ["mentor"] * 2
    assert not SealedBallot.objects.exists()


def test_publishing_twice_neither_loses_nor_doubles_an_answer(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 4)
    services.rounds_publish_closed(day=after_close(evaluation_round))
    first = published_answers()

    again = services.rounds_publish_closed(day=after_close(evaluation_round))

    assert again.published == {}
    assert published_answers() == first
    assert len(first) == 4


def test_a_crash_halfway_leaves_every_ballot_to_publish_again(evaluation_round, monkeypatch):
    add_responses(evaluation_round, Role.MENTEE, 4)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    # The responses are inserted, then the process dies before the ballots are deleted.
    monkeypatch.setattr("django.db.models.query.QuerySet.delete", crash)
    with pytest.raises(RuntimeError):
        services.rounds_publish_closed(day=after_close(evaluation_round))
    monkeypatch.undo()

    assert not Response.objects.exists()  # rolled back with the rest
    assert SealedBallot.objects.count() == 4

    report = services.rounds_publish_closed(day=after_close(evaluation_round))

    assert report.published == {str(evaluation_round): 4}
    assert Response.objects.count() == 4
    assert not SealedBallot.objects.exists()


def test_a_ballot_sealed_with_a_key_no_longer_configured_is_reported_by_round_and_kept(
    settings, evaluation_round, caplog
):
    settings.EVALUATION_SEAL_KEYS = [Fernet.generate_key().decode()]
    add_responses(evaluation_round, Role.MENTEE, 2)
    settings.EVALUATION_SEAL_KEYS = [Fernet.generate_key().decode()]  # the old key was dropped

    with caplog.at_level(logging.ERROR):
        report = services.rounds_publish_closed(day=after_close(evaluation_round))

    assert report.published == {}
    assert len(report.errors) == 1
    assert str(evaluation_round) in report.errors[0]
    assert "EVALUATION_SEAL_KEYS" in report.errors[0]
    assert str(evaluation_round) in caplog.text
    assert SealedBallot.objects.count() == 2  # nothing dropped
    assert not Response.objects.exists()


def test_one_unreadable_round_does_not_hold_up_the_others(settings, evaluation_round):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EVALUATION_SEAL_KEYS = [old_key]
    add_responses(evaluation_round, Role.MENTEE, 2)
    other = EvaluationRoundFactory(cycle=evaluation_round.cycle, closes_on=evaluation_round.closes_on)
    services.round_add_default_questions(round=other)
    settings.EVALUATION_SEAL_KEYS = [new_key]
    add_responses(other, Role.MENTEE, 3)

    report = services.rounds_publish_closed(day=after_close(evaluation_round))

    assert report.published == {str(other): 3}
    assert [str(evaluation_round) in error for error in report.errors] == [True]
    # With the old key back (behind the new one), the rest is published too.
    settings.EVALUATION_SEAL_KEYS = [new_key, old_key]
    assert services.rounds_publish_closed(day=after_close(evaluation_round)).published == {str(evaluation_round): 2}


def test_rotating_the_seal_keys_keeps_every_ballot_readable(settings, evaluation_round):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EVALUATION_SEAL_KEYS = [old_key]
    add_responses(evaluation_round, Role.MENTEE, 2)
    settings.EVALUATION_SEAL_KEYS = [new_key, old_key]

    out = StringIO()
    call_command("rotate_evaluation_seal_keys", stdout=out)
    settings.EVALUATION_SEAL_KEYS = [new_key]

    assert "2" in out.getvalue()
    assert publish(evaluation_round) == 2


def test_the_command_publishes_and_reports_what_it_did(evaluation_round):
    add_responses(evaluation_round, Role.MENTOR, 3)
    out = StringIO()

    with time_machine.travel(after_close(evaluation_round), tick=False):
        call_command("publish_closed_rounds", stdout=out)
        assert f"Published 3 response(s) of evaluation round '{evaluation_round}'" in out.getvalue()
        out = StringIO()
        call_command("publish_closed_rounds", "--day", after_close(evaluation_round).isoformat(), stdout=out)
        assert "No closed evaluation round is waiting" in out.getvalue()


def test_the_command_fails_loudly_on_a_missing_key(settings, evaluation_round):
    settings.EVALUATION_SEAL_KEYS = [Fernet.generate_key().decode()]
    add_responses(evaluation_round, Role.MENTOR, 1)
    settings.EVALUATION_SEAL_KEYS = [Fernet.generate_key().decode()]
    err = StringIO()

    with time_machine.travel(after_close(evaluation_round), tick=False), pytest.raises(CommandError):
        call_command("publish_closed_rounds", stderr=err)

    assert str(evaluation_round) in err.getvalue()


def test_the_command_refuses_a_day_later_than_today(evaluation_round):
    """Finding 21.6: --day in the future published a round still open; a later submitter was then alone."""
    add_responses(evaluation_round, Role.MENTEE, 3)

    with pytest.raises(CommandError, match="later than today"):
        call_command("publish_closed_rounds", "--day", after_close(evaluation_round).isoformat())

    assert not Response.objects.exists()
    assert SealedBallot.objects.count() == 3


def fingerprint(key):
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def test_after_publication_the_keys_that_seal_no_waiting_ballot_are_named_for_retirement(settings, evaluation_round):
    """Finding 21.5: an operator learns which seal keys to retire, so WAL archives of a round stay closed."""
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EVALUATION_SEAL_KEYS = [old_key]
    add_responses(evaluation_round, Role.MENTEE, 2)
    settings.EVALUATION_SEAL_KEYS = [new_key, old_key]
    later = EvaluationRoundFactory(cycle=evaluation_round.cycle, closes_on=evaluation_round.closes_on + WEEK)
    services.round_add_default_questions(round=later)
    add_responses(later, Role.MENTEE, 1)  # sealed with the new key, still waiting
    out = StringIO()

    with time_machine.travel(after_close(evaluation_round), tick=False):
        call_command("publish_closed_rounds", stdout=out)
        warnings = [message for message in run_checks() if message.id == "evaluations.W004"]

    text = out.getvalue()
    assert f"Seal key 2 in EVALUATION_SEAL_KEYS (fingerprint {fingerprint(old_key)})" in text
    assert str(evaluation_round) in text
    assert fingerprint(new_key) not in text  # it still seals the later round's ballot
    assert old_key not in text
    assert [fingerprint(old_key) in warning.msg for warning in warnings] == [True]

    settings.EVALUATION_SEAL_KEYS = [new_key]  # the old key retired
    out = StringIO()
    with time_machine.travel(after_close(later), tick=False):
        call_command("publish_closed_rounds", stdout=out)
    assert f"Seal key 1 in EVALUATION_SEAL_KEYS (fingerprint {fingerprint(new_key)})" in out.getvalue()
    assert "put a fresh key in front" in out.getvalue()


def test_the_nightly_task_publishes_closed_rounds(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 2)

    with time_machine.travel(datetime.datetime.combine(after_close(evaluation_round), datetime.time(6, 30))):
        outcome = tasks.publish_closed_rounds.delay().get()

    assert outcome["published"] == {str(evaluation_round): 2}
    assert Response.objects.count() == 2


def test_the_nightly_task_is_scheduled(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "evaluations.publish_closed_rounds" in tasks_scheduled
