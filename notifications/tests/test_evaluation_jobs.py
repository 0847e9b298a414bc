"""Evaluation invitations and reminders (R14), through the evaluations app's real services.

Invitations come from ``invitations_ensure`` (the daily job's, or a coordinator's click),
receipts from ``response_submit``: no stand-ins.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from evaluations import services as evaluation_services
from evaluations.models import Invitation, SealedBallot
from evaluations.sealing import open_ballot
from evaluations.tests.factories import EvaluationRoundFactory, answers_for
from matching.models import Cycle
from matching.tests.factories import ActiveMatchFactory, CycleFactory
from notifications import delivery, services
from notifications.emails.base import absolute_url
from notifications.models import OutboxMessage
from notifications.tests.conftest import bodies

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
OPENS = timezone.localdate() + datetime.timedelta(days=10)
CLOSES = OPENS + datetime.timedelta(days=28)


def at(day, hour=7):
    return time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), tick=False)


@pytest.fixture
def pair():
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    return ActiveMatchFactory(cycle=cycle)


@pytest.fixture
def evaluation_round(pair):
    evaluation_round = EvaluationRoundFactory(
        cycle=pair.cycle, name="Tussentijdse evaluatie 2027", opens_on=OPENS, closes_on=CLOSES
    )
    evaluation_services.round_add_default_questions(round=evaluation_round)
    return evaluation_round


@pytest.fixture
def invitations(pair, evaluation_round, django_capture_on_commit_callbacks):
    """The round's invitations, made by the daily job on the opening day."""
    run_daily(OPENS, django_capture_on_commit_callbacks)
    return {invitation.role: invitation for invitation in evaluation_round.invitations.all()}


def run_daily(day, django_capture_on_commit_callbacks):
    with at(day), django_capture_on_commit_callbacks(execute=True):
        return services.daily_jobs_run()


def mails_to(sent, user):
    return [email for email in sent if email.to == [user.email]]


def answer(invitation, text="Heel waardevol."):
    """She fills in the form while the round is open: a real receipt (and an anonymous response)."""
    with at(OPENS + datetime.timedelta(days=1), 12):
        evaluation_services.response_submit(
            invitation=invitation,
            user=invitation.user,
            answers=answers_for(invitation.round, invitation.role, text=text),
        )


def test_each_participant_gets_her_personal_invitation_when_the_round_opens(
    pair, evaluation_round, sent, django_capture_on_commit_callbacks
):
    run_daily(OPENS - datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert sent == []

    counts = run_daily(OPENS, django_capture_on_commit_callbacks)

    assert counts[Kind.EVALUATION_INVITATION] == 2
    invitations = {invitation.role: invitation for invitation in evaluation_round.invitations.all()}
    (to_mentee,) = mails_to(sent, pair.mentee)
    # The round's name says "evaluatie" already: the subject does not say it twice.
    assert to_mentee.subject == "Deel je ervaring: Tussentijdse evaluatie 2027"
    assert absolute_url(invitations["mentee"].get_absolute_url()) in to_mentee.body
    assert absolute_url(invitations["mentor"].get_absolute_url()) not in to_mentee.body
    assert "anoniem" in to_mentee.body


def test_invitations_a_coordinator_makes_early_go_out_when_the_round_opens(
    pair, evaluation_round, sent, django_capture_on_commit_callbacks, settings
):
    with at(OPENS - datetime.timedelta(days=3), 14), django_capture_on_commit_callbacks(execute=True):
        assert evaluation_services.invitations_ensure(round=evaluation_round) == 2
        delivery.outbox_deliver_due()
    # Recorded with the invitations, held back: the form is not open yet.
    assert OutboxMessage.objects.filter(kind=Kind.EVALUATION_INVITATION).count() == 2
    assert sent == []

    with at(OPENS, 0), django_capture_on_commit_callbacks(execute=True):
        delivery.outbox_deliver_due()  # the every-minute job, just after midnight

    assert sorted(email.to[0] for email in sent) == sorted([pair.mentee.email, pair.mentor.email])


def test_invitations_a_coordinator_makes_in_an_open_round_go_out_at_once(
    pair, evaluation_round, sent, django_capture_on_commit_callbacks
):
    with at(OPENS + datetime.timedelta(days=2), 14), django_capture_on_commit_callbacks(execute=True):
        assert evaluation_services.invitations_ensure(round=evaluation_round) == 2

    # Not at the next daily run: right after the commit.
    assert len(sent) == 2


def test_the_invitation_is_in_english_for_a_member_who_reads_english(
    pair, evaluation_round, sent, django_capture_on_commit_callbacks
):
    pair.mentor.language = "en"
    pair.mentor.save()

    run_daily(OPENS, django_capture_on_commit_callbacks)

    (to_mentor,) = mails_to(sent, pair.mentor)
    assert to_mentor.subject == "Share your experience: Tussentijdse evaluatie 2027"


def test_reminders_after_7_and_14_days_without_receipt_then_stop(
    pair, invitations, sent, django_capture_on_commit_callbacks
):
    answer(invitations["mentor"])

    for offset in range(1, 29):
        run_daily(OPENS + datetime.timedelta(days=offset), django_capture_on_commit_callbacks)

    reminders = OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER)
    assert sorted(reminders.values_list("period", flat=True)) == ["14d", "7d"]
    assert {message.recipient for message in reminders} == {pair.mentee}
    subjects = [email.subject for email in mails_to(sent, pair.mentee)]
    assert subjects == [
        "Deel je ervaring: Tussentijdse evaluatie 2027",
        "Herinnering: Tussentijdse evaluatie 2027",
        "Herinnering: Tussentijdse evaluatie 2027",
    ]
    assert len(mails_to(sent, pair.mentor)) == 1  # she answered: only the invitation


def test_no_reminders_for_someone_whose_pair_ended_early(pair, invitations, sent, django_capture_on_commit_callbacks):
    # R6: she stepped out; her link still works, but nobody chases her.
    pair.status = pair.Status.ENDED_EARLY
    pair.ended_on = OPENS + datetime.timedelta(days=1)
    pair.save()

    for offset in range(1, 20):
        run_daily(OPENS + datetime.timedelta(days=offset), django_capture_on_commit_callbacks)

    assert not OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER).exists()
    assert len(mails_to(sent, pair.mentee)) == 1  # the invitation only


def test_the_first_reminder_comes_on_day_7_and_the_second_on_day_14(
    pair, invitations, sent, django_capture_on_commit_callbacks
):
    run_daily(OPENS + datetime.timedelta(days=6), django_capture_on_commit_callbacks)
    assert not OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER).exists()

    run_daily(OPENS + datetime.timedelta(days=7), django_capture_on_commit_callbacks)
    assert OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER, period="7d").count() == 2

    run_daily(OPENS + datetime.timedelta(days=13), django_capture_on_commit_callbacks)
    assert not OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER, period="14d").exists()
    run_daily(OPENS + datetime.timedelta(days=14), django_capture_on_commit_callbacks)
    assert OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER, period="14d").count() == 2


def test_a_missed_week_does_not_send_both_reminders_at_once(
    pair, invitations, sent, django_capture_on_commit_callbacks
):
    run_daily(OPENS + datetime.timedelta(days=15), django_capture_on_commit_callbacks)

    assert list(OutboxMessage.objects.filter(kind=Kind.EVALUATION_REMINDER).values_list("period", flat=True)) == [
        "14d",
        "14d",
    ]


def test_the_daily_job_twice_sends_each_invitation_once(pair, invitations, sent, django_capture_on_commit_callbacks):
    run_daily(OPENS, django_capture_on_commit_callbacks)

    assert len(sent) == 2
    assert Invitation.objects.count() == 2


def test_no_evaluation_answer_is_in_any_e_mail(pair, invitations, sent, django_capture_on_commit_callbacks):
    # R14: answers are anonymous. She writes a recognisable answer through the real form service;
    # her partner does not answer and gets reminders; no mail ever carries the answer.
    marker = "GEPLANT-ANTWOORD-7f3a"
    answer(invitations["mentee"], text=marker)
    # Sealed until the round is published (issue 12): the answer is stored, encrypted.
    stored = [open_ballot(ballot.sealed)[1] for ballot in SealedBallot.objects.all()]
    assert any(marker in str(answers) for answers in stored), "the answer was stored"

    for offset in (7, 14):
        run_daily(OPENS + datetime.timedelta(days=offset), django_capture_on_commit_callbacks)

    assert len(sent) == 4  # two invitations, two reminders to the mentor
    for email in sent:
        assert marker not in bodies(email)
