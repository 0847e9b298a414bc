"""Issue 28 §4: a pair undone within the hour: unsent mails never go out; sent ones get a correction to both."""

import datetime

import pytest
from django.utils import timezone, translation

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching import services
from matching.tests.factories import (
    ApplicationFactory,
    MatchingCycleFactory,
    MentorApplicationFactory,
    confirm_pair,
)
from notifications import delivery
from notifications.emails.build import build_email
from notifications.models import OutboxMessage
from notifications.tests.conftest import bodies, of_kind

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status


@pytest.fixture
def applications(db):
    cycle = MatchingCycleFactory(name="Voorjaar 2027")
    mentor = MentorApplicationFactory(cycle=cycle, member=MemberFactory(email="marieke@example.org"))
    mentee = ApplicationFactory(cycle=cycle, member=MemberFactory(email="lotte@example.org"))
    return mentor, mentee


def test_undo_before_the_mails_went_out_cancels_them_and_nothing_reaches_anyone(
    applications, sent, django_capture_on_commit_callbacks
):
    coordinator = CoordinatorFactory()
    pair = confirm_pair(*applications, by=coordinator)  # the mails wait in the outbox (not committed yet)
    assert set(OutboxMessage.objects.values_list("kind", "status")) == {
        (Kind.MATCH_MENTEE, Status.PENDING),
        (Kind.MATCH_MENTOR, Status.PENDING),
    }

    with django_capture_on_commit_callbacks(execute=True):
        undone = services.match_undo(match=pair, by=coordinator)
    delivery.outbox_deliver_due()

    assert undone.correction_sent is False
    assert sent == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.CANCELLED}
    assert not OutboxMessage.objects.filter(kind=Kind.MATCH_UNDONE).exists()


def test_undo_after_a_mail_went_out_sends_both_a_short_correction(
    applications, sent, django_capture_on_commit_callbacks
):
    mentor, mentee = applications
    coordinator = CoordinatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        pair = confirm_pair(mentor, mentee, by=coordinator)
    assert len(sent) == 2  # the contact details and the introduction went out
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        undone = services.match_undo(match=pair, by=coordinator)

    assert undone.correction_sent is True
    corrections = of_kind(sent, Kind.MATCH_UNDONE)
    assert sorted(email.to[0] for email in corrections) == ["lotte@example.org", "marieke@example.org"]
    assert len(sent) == 2
    to_mentee = next(email for email in corrections if email.to == ["lotte@example.org"])
    text = bodies(to_mentee)
    assert to_mentee.subject == "Correctie: je koppeling in het mentorprogramma gaat niet door"
    assert "Voorjaar 2027" in text and "Je hoeft met niemand contact op te nemen" in text
    assert "partner" not in text.lower()
    to_mentor = next(email for email in corrections if email.to == ["marieke@example.org"])
    assert "Je aanmelding als mentor blijft staan" in bodies(to_mentor)


def test_a_mail_being_sent_counts_as_gone_out_and_the_rest_is_cancelled(applications, sent):
    coordinator = CoordinatorFactory()
    pair = confirm_pair(*applications, by=coordinator)
    OutboxMessage.objects.filter(kind=Kind.MATCH_MENTEE).update(status=Status.SENDING, claimed_at=timezone.now())

    undone = services.match_undo(match=pair, by=coordinator)

    assert undone.correction_sent is True
    assert OutboxMessage.objects.get(kind=Kind.MATCH_MENTOR).status == Status.CANCELLED
    assert OutboxMessage.objects.filter(kind=Kind.MATCH_UNDONE, status=Status.PENDING).count() == 2


def test_the_correction_is_complete_in_english(applications, django_capture_on_commit_callbacks):
    mentor, mentee = applications
    coordinator = CoordinatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        pair = confirm_pair(mentor, mentee, by=coordinator)
    mentee.member.language = "en"
    mentee.member.save()
    services.match_undo(match=pair, by=coordinator)

    email = build_email(OutboxMessage.objects.get(kind=Kind.MATCH_UNDONE, recipient=mentee.member))

    assert email.subject == "Correction: your match in the mentor programme does not go ahead"
    assert "You do not need to contact anyone" in email.body
    with translation.override("en"):
        assert str(Status.CANCELLED.label) == "cancelled"


# Issue 25 §3 with issue 28 §4: when the mentor is asked first, the coordinator's click can be taken back too.


@pytest.fixture
def mentor_asked_first(settings):
    settings.MATCHING_MENTOR_ACCEPTS = True


def test_a_pair_waiting_for_the_mentor_undone_before_the_question_went_out_reaches_nobody(
    applications, sent, mentor_asked_first, django_capture_on_commit_callbacks
):
    coordinator = CoordinatorFactory()
    pair = confirm_pair(*applications, by=coordinator)
    assert pair.is_awaiting_mentor
    assert services.match_undo_refusal(pair) == ""

    with django_capture_on_commit_callbacks(execute=True):
        undone = services.match_undo(match=pair, by=coordinator)
    delivery.outbox_deliver_due()

    assert undone.correction_sent is False and undone.mentee_unaware is True
    assert sent == []
    assert OutboxMessage.objects.get(kind=Kind.MENTOR_ASKED).status == Status.CANCELLED


def test_a_pair_waiting_for_the_mentor_undone_after_the_question_corrects_only_the_mentor(
    applications, sent, mentor_asked_first, django_capture_on_commit_callbacks
):
    mentor, mentee = applications
    coordinator = CoordinatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        pair = confirm_pair(mentor, mentee, by=coordinator)
    assert [email.to for email in sent] == [["marieke@example.org"]]  # only the mentor was asked
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        undone = services.match_undo(match=pair, by=coordinator)

    assert undone.correction_sent is True and undone.mentee_unaware is True
    assert [email.to for email in of_kind(sent, Kind.MATCH_UNDONE)] == [["marieke@example.org"]]
    assert [email.to for email in sent] == [["marieke@example.org"]]  # the mentee never hears of the pair
    assert not OutboxMessage.objects.filter(recipient=mentee.member).exists()


def test_a_pair_waiting_for_the_mentor_cannot_be_undone_after_the_hour(applications, mentor_asked_first):
    coordinator = CoordinatorFactory()
    pair = confirm_pair(*applications, by=coordinator)
    just_in_time = pair.mentor_asked_at + services.UNDO_WINDOW - datetime.timedelta(minutes=1)
    too_late = pair.mentor_asked_at + services.UNDO_WINDOW + datetime.timedelta(minutes=1)

    assert services.match_undo_refusal(pair, now=just_in_time) == ""
    with translation.override("en"):
        assert services.match_undo_refusal(pair, now=too_late).startswith(
            "A pair can be undone up to an hour after it was confirmed"
        )
