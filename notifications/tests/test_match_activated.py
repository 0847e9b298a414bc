"""R8: when a match becomes active, the mentee gets her mentor's contact details, the mentor her mentee's name."""

import pytest
from django.db import transaction

from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory
from matching import services
from matching.models import Match
from matching.signals import match_activated
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory
from notifications.emails.build import OUTBOX_HEADER
from notifications.emails.pairs import pair_url
from notifications.models import OutboxMessage
from notifications.tests.conftest import bodies

pytestmark = pytest.mark.django_db

MENTORVRAAG = "Hoe combineer ik mijn promotie met de zorg voor mijn vader? (vertrouwelijk)"


@pytest.fixture
def match():
    mentor = MemberFactory(full_name="Marieke de Vries", email="marieke@example.org", profile=None)
    ProfileFactory(user=mentor, verified=True, phone="06 1234 5678", linkedin_url="https://www.linkedin.com/in/mdv")
    mentee = MemberFactory(full_name="Sanne Bakker", email="sanne@example.org")
    pair = ActiveMatchFactory(mentor=mentor, mentee=mentee)
    ApplicationFactory(cycle=pair.cycle, member=mentee, mentoring_question=MENTORVRAAG)
    return pair


def activate(match, django_capture_on_commit_callbacks):
    # matching sends the signal from on_commit; here the test is the sender.
    with django_capture_on_commit_callbacks(execute=True):
        match_activated.send(sender=Match, match_id=match.pk)


def mail_to(sent, user):
    found = [email for email in sent if email.to == [user.email]]
    assert len(found) == 1, f"expected one e-mail to {user.email}, got {len(found)}"
    return found[0]


def test_the_mentee_gets_her_mentors_contact_details_and_makes_the_first_contact(
    match, sent, django_capture_on_commit_callbacks
):
    activate(match, django_capture_on_commit_callbacks)

    email = mail_to(sent, match.mentee)
    text = bodies(email)
    assert email.subject == "Je mentor in het mentorprogramma: Marieke de Vries"
    for detail in ["Marieke de Vries", "marieke@example.org", "06 1234 5678", "https://www.linkedin.com/in/mdv"]:
        assert detail in email.body
        assert detail in email.alternatives[0][0]
    assert "Jij neemt het eerste contact op" in text
    assert "kennismakingsafspraak" in text  # R8
    assert pair_url(match) in email.body
    assert pair_url(match).startswith("http://127.0.0.1:8000/")


def test_the_mentor_learns_who_her_mentee_is(match, sent, django_capture_on_commit_callbacks):
    activate(match, django_capture_on_commit_callbacks)

    email = mail_to(sent, match.mentor)
    assert email.subject == "Je mentee in het mentorprogramma: Sanne Bakker"
    assert "sanne@example.org" in email.body
    assert pair_url(match) in email.body


def test_the_mails_come_from_the_programme_with_the_contact_address_as_reply_to(
    match, sent, settings, django_capture_on_commit_callbacks
):
    activate(match, django_capture_on_commit_callbacks)

    for email in sent:
        assert email.from_email == settings.DEFAULT_FROM_EMAIL
        assert email.reply_to == [settings.PROGRAMME_CONTACT_EMAIL]  # R15
        assert settings.PROGRAMME_CONTACT_EMAIL in email.body
        assert [mime for _content, mime in email.alternatives] == ["text/html"]
        assert "Mentorprogramma NOB Vrouwennetwerk" in email.body


def test_each_partner_reads_her_mail_in_her_own_language(match, sent, django_capture_on_commit_callbacks):
    match.mentee.language = "en"
    match.mentee.save()

    activate(match, django_capture_on_commit_callbacks)

    assert mail_to(sent, match.mentee).subject == "Your mentor in the mentor programme: Marieke de Vries"
    assert "You make the first contact" in mail_to(sent, match.mentee).body
    assert mail_to(sent, match.mentor).subject.startswith("Je mentee")


def test_the_mentorvraag_stays_out_of_the_mails(match, sent, django_capture_on_commit_callbacks):
    # R11: the mentoring question is for the pair page, not for mailboxes.
    activate(match, django_capture_on_commit_callbacks)

    assert len(sent) == 2
    for email in sent:
        assert MENTORVRAAG not in bodies(email)


def test_a_second_signal_for_the_same_match_sends_nothing_new(match, sent, django_capture_on_commit_callbacks):
    activate(match, django_capture_on_commit_callbacks)
    activate(match, django_capture_on_commit_callbacks)

    assert len(sent) == 2
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == 2
    assert {email.extra_headers[OUTBOX_HEADER] for email in sent} == {
        str(pk) for pk in OutboxMessage.objects.values_list("pk", flat=True)
    }


def test_no_task_is_queued_when_the_activation_is_rolled_back(match, sent, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        match_activated.send(sender=Match, match_id=match.pk)
        raise RuntimeError("the coordinator's change failed")

    assert callbacks == []
    assert sent == []
    assert not OutboxMessage.objects.exists()


def test_a_match_that_is_no_longer_active_gets_no_mail(match, sent, django_capture_on_commit_callbacks):
    Match.objects.filter(pk=match.pk).update(status=Match.Status.ENDED_EARLY)

    activate(match, django_capture_on_commit_callbacks)

    assert sent == []


def test_the_outbox_records_what_was_sent_to_whom(match, django_capture_on_commit_callbacks):
    activate(match, django_capture_on_commit_callbacks)

    rows = OutboxMessage.objects.order_by("kind")
    assert [(row.kind, row.recipient, row.status, row.attempts) for row in rows] == [
        (OutboxMessage.Kind.MATCH_MENTEE, match.mentee, OutboxMessage.Status.SENT, 1),
        (OutboxMessage.Kind.MATCH_MENTOR, match.mentor, OutboxMessage.Status.SENT, 1),
    ]
    assert all(row.sent_at for row in rows)


class Rollback(Exception):
    pass


def test_the_contact_details_mail_is_recorded_inside_the_confirming_transaction(django_capture_on_commit_callbacks):
    """R8, outbox: the row is written with the match, before any commit callback runs; only the nudge waits.

    No callback is run here (execute=False): a record moved into on_commit would leave no row yet.
    """
    cycle = CycleFactory()
    mentor = MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=2)
    mentee = ApplicationFactory(cycle=cycle, member=MemberFactory())
    coordinator = CoordinatorFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        match = services.match_confirm(
            mentor_application=mentor, mentee_application=mentee, by=coordinator, before_window_closes=True
        )
        recorded = set(
            OutboxMessage.objects.filter(subject_type="matching.match", subject_id=match.pk).values_list(
                "kind", "recipient_id"
            )
        )
        assert recorded == {
            (OutboxMessage.Kind.MATCH_MENTEE, match.mentee_id),
            (OutboxMessage.Kind.MATCH_MENTOR, match.mentor_id),
        }
    assert callbacks, "the nudge to deliver waits for the commit"


def test_a_rolled_back_match_leaves_no_contact_details_mail(django_capture_on_commit_callbacks):
    cycle = CycleFactory()
    mentor = MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=2)
    mentee = ApplicationFactory(cycle=cycle, member=MemberFactory())

    with django_capture_on_commit_callbacks(execute=False), pytest.raises(Rollback), transaction.atomic():
        services.match_confirm(
            mentor_application=mentor,
            mentee_application=mentee,
            by=CoordinatorFactory(),
            before_window_closes=True,
        )
        assert OutboxMessage.objects.filter(recipient=mentee.member).exists()
        raise Rollback

    assert not Match.objects.filter(mentee=mentee.member).exists()
    assert not OutboxMessage.objects.filter(recipient__in=[mentee.member, mentor.member]).exists()
