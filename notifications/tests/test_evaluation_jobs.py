"""Evaluation invitations and reminders (R14), built before the evaluations app existed (issue 6).

Built on the agreed contract only: EvaluationRound(cycle, name, opens_on, closes_on),
Invitation(round -> related_name "invitations", user, role, token, get_absolute_url()),
services.invitations_ensure(*, round), selectors.rounds_open_on(day),
selectors.invitations_without_receipt(*, round).
"""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from evaluations import selectors as evaluation_selectors
from evaluations import services as evaluation_services
from evaluations.models import EvaluationRound, Invitation
from matching.models import Cycle, Match
from matching.tests.factories import ActiveMatchFactory, CycleFactory
from notifications import services
from notifications.emails import absolute_url
from notifications.models import OutboxMessage
from notifications.tests.builders import SECRET, build, secrets_stored, try_build
from notifications.tests.conftest import bodies

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
OPENS = timezone.localdate() + datetime.timedelta(days=10)
CLOSES = OPENS + datetime.timedelta(days=28)


@pytest.fixture
def pair():
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    return ActiveMatchFactory(cycle=cycle)


@pytest.fixture
def evaluation_round(pair):
    return build(
        EvaluationRound, cycle=pair.cycle, name="Tussentijdse evaluatie 2027", opens_on=OPENS, closes_on=CLOSES
    )


@pytest.fixture
def invitations(pair, evaluation_round, monkeypatch):
    """One invitation each; invitations_ensure is the evaluations app's business and is left out here."""
    calls = []
    monkeypatch.setattr(evaluation_services, "invitations_ensure", lambda *, round: calls.append(round) or 0)
    invited = {
        "mentee": build(Invitation, round=evaluation_round, user=pair.mentee, role="mentee"),
        "mentor": build(Invitation, round=evaluation_round, user=pair.mentor, role="mentor"),
    }
    invited["ensure_calls"] = calls
    return invited


def run_daily(day, django_capture_on_commit_callbacks):
    moment = datetime.datetime.combine(day, datetime.time(7))
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return services.run_daily_jobs()


def mails_to(sent, user):
    return [email for email in sent if email.to == [user.email]]


def answered(monkeypatch, *done):
    """Who has a receipt is the evaluations app's business: here, the given invitations have one."""
    monkeypatch.setattr(
        evaluation_selectors,
        "invitations_without_receipt",
        lambda *, round: Invitation.objects.filter(round=round).exclude(pk__in=[i.pk for i in done]),
    )


def test_each_participant_gets_her_personal_invitation_when_the_round_opens(
    pair, evaluation_round, invitations, sent, django_capture_on_commit_callbacks
):
    run_daily(OPENS - datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert sent == []

    counts = run_daily(OPENS, django_capture_on_commit_callbacks)

    assert counts[Kind.EVALUATION_INVITATION] == 2
    assert invitations["ensure_calls"] == [evaluation_round]
    (to_mentee,) = mails_to(sent, pair.mentee)
    assert to_mentee.subject == "Deel je ervaring: evaluatie Tussentijdse evaluatie 2027"
    assert absolute_url(invitations["mentee"].get_absolute_url()) in to_mentee.body
    assert absolute_url(invitations["mentor"].get_absolute_url()) not in to_mentee.body
    assert "anoniem" in to_mentee.body


def test_the_invitation_is_in_english_for_a_member_who_reads_english(
    pair, invitations, sent, django_capture_on_commit_callbacks
):
    pair.mentor.language = "en"
    pair.mentor.save()

    run_daily(OPENS, django_capture_on_commit_callbacks)

    (to_mentor,) = mails_to(sent, pair.mentor)
    assert to_mentor.subject == "Please share your experience: evaluation Tussentijdse evaluatie 2027"


def test_reminders_after_7_and_14_days_without_receipt_then_stop(
    pair, invitations, sent, monkeypatch, django_capture_on_commit_callbacks
):
    answered(monkeypatch, invitations["mentor"])

    for offset in range(0, 29):
        run_daily(OPENS + datetime.timedelta(days=offset), django_capture_on_commit_callbacks)

    reminders = OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER)
    assert sorted(reminders.values_list("period", flat=True)) == ["14d", "7d"]
    assert {message.recipient for message in reminders} == {pair.mentee}
    subjects = [email.subject for email in mails_to(sent, pair.mentee)]
    assert subjects == [
        "Deel je ervaring: evaluatie Tussentijdse evaluatie 2027",
        "Herinnering: evaluatie Tussentijdse evaluatie 2027",
        "Herinnering: evaluatie Tussentijdse evaluatie 2027",
    ]
    assert len(mails_to(sent, pair.mentor)) == 1  # she answered: only the invitation


def test_no_reminders_for_someone_whose_pair_ended_early(
    pair, invitations, sent, monkeypatch, django_capture_on_commit_callbacks
):
    # R6: she stepped out; her link still works, but nobody chases her.
    answered(monkeypatch)
    run_daily(OPENS, django_capture_on_commit_callbacks)
    pair.status = pair.Status.ENDED_EARLY
    pair.ended_on = OPENS + datetime.timedelta(days=1)
    pair.save()

    for offset in range(1, 20):
        run_daily(OPENS + datetime.timedelta(days=offset), django_capture_on_commit_callbacks)

    assert not OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER).exists()
    assert len(mails_to(sent, pair.mentee)) == 1  # the invitation only


def test_the_first_reminder_comes_on_day_7_and_the_second_on_day_14(
    pair, invitations, sent, monkeypatch, django_capture_on_commit_callbacks
):
    answered(monkeypatch)
    run_daily(OPENS, django_capture_on_commit_callbacks)
    run_daily(OPENS + datetime.timedelta(days=6), django_capture_on_commit_callbacks)
    assert not OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER).exists()

    run_daily(OPENS + datetime.timedelta(days=7), django_capture_on_commit_callbacks)
    assert OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER, period="7d").count() == 2

    run_daily(OPENS + datetime.timedelta(days=13), django_capture_on_commit_callbacks)
    assert not OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER, period="14d").exists()
    run_daily(OPENS + datetime.timedelta(days=14), django_capture_on_commit_callbacks)
    assert OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER, period="14d").count() == 2


def test_a_missed_week_does_not_send_both_reminders_at_once(
    pair, invitations, sent, monkeypatch, django_capture_on_commit_callbacks
):
    answered(monkeypatch)

    run_daily(OPENS + datetime.timedelta(days=15), django_capture_on_commit_callbacks)

    assert list(OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER).values_list("period", flat=True)) == [
        "14d",
        "14d",
    ]


def test_the_daily_job_twice_sends_each_invitation_once(pair, invitations, sent, django_capture_on_commit_callbacks):
    run_daily(OPENS, django_capture_on_commit_callbacks)
    run_daily(OPENS, django_capture_on_commit_callbacks)

    assert len(sent) == 2


def test_the_real_invitations_ensure_and_the_mails_agree(
    pair, evaluation_round, sent, django_capture_on_commit_callbacks
):
    # Whoever the evaluations app invites gets exactly one invitation e-mail.
    run_daily(OPENS, django_capture_on_commit_callbacks)

    invited = sorted(evaluation_round.invitations.values_list("user__email", flat=True))
    assert sorted(email.to[0] for email in sent) == invited


def test_no_evaluation_answers_in_any_e_mail(
    pair, evaluation_round, invitations, sent, monkeypatch, django_capture_on_commit_callbacks
):
    # R14: answers are anonymous; plant a secret in every answer-like row we can build.
    for model in apps.get_app_config("evaluations").get_models():
        if model not in (EvaluationRound, Invitation):
            try_build(
                model,
                related={
                    EvaluationRound: evaluation_round,
                    Invitation: invitations["mentee"],
                    Match: pair,
                    Cycle: pair.cycle,
                },
                when=OPENS,
            )
    secrets = [s for s in secrets_stored("evaluations") if "invitation" not in s and "evaluationround" not in s]
    assert secrets, "no answer could be planted: adapt this test to the evaluations app's answer model"
    answered(monkeypatch)

    for offset in (0, 7, 14):
        run_daily(OPENS + datetime.timedelta(days=offset), django_capture_on_commit_callbacks)

    assert len(sent) == 6
    for email in sent:
        text = bodies(email)
        assert SECRET not in text
