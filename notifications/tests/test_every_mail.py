"""Every e-mail the site can send, allauth's included: rendered in Dutch and in English, with what a
member wrote in confidence planted everywhere it is stored, and none of it in any mail (R11, R14).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import RetentionNotice
from accounts.services import profile_reject, profile_verify
from accounts.tests.factories import PASSWORD, CoordinatorFactory, MemberFactory, ProfileFactory, UserFactory
from coordination.digest import digest_record
from evaluations import services as evaluation_services
from evaluations.tests.factories import EvaluationRoundFactory, answers_for
from goals import services as goal_services
from matching.models import FitCheck, Match
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory
from meetings import services as meeting_services
from meetings.tests.factories import HeldMeetingFactory
from notifications import delivery, outbox, services
from notifications.emails import build as email_build
from notifications.emails.build import build_email
from notifications.models import OutboxMessage
from notifications.tests.conftest import bodies

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
SECRET = "GEHEIM-9c1e"
ACCOUNT_MAILS = {
    "account/email/email_confirmation_signup",
    "account/email/account_already_exists",
    "account/email/password_reset_key",
    "account/email/unknown_account",
    "account/email/email_confirmation",
}


@pytest.fixture
def every_mail(client):
    """One outbox row of every kind, made the way the application makes them, with secrets planted."""
    mentee = MemberFactory(full_name="Sanne Bakker", email="sanne@example.org")
    mentor = MemberFactory(full_name="Marieke de Vries", email="marieke@example.org")
    match = ActiveMatchFactory(mentor=mentor, mentee=mentee)
    application = ApplicationFactory(cycle=match.cycle, member=mentee, mentoring_question=f"Mijn mentorvraag {SECRET}")
    agreement = match.agreement if hasattr(match, "agreement") else None
    if agreement is not None:
        agreement.mission = f"Missie {SECRET}"
        agreement.save()
    meeting = HeldMeetingFactory(match=match, starts_at=timezone.now() - datetime.timedelta(hours=2))
    meeting_services.private_note_save(meeting=meeting, author=mentee, text=f"Notitie {SECRET}")
    # Issue 26 §3: the pair's goals, their next steps and progress notes never reach a mail.
    goal = goal_services.goal_add(match=match, by=mentee, text=f"Doel {SECRET}", next_step=f"Stap {SECRET}")
    goal_services.goals_progress_record(match=match, by=mentor, notes={goal.pk: f"Voortgang {SECRET}"})
    evaluation_round = EvaluationRoundFactory(cycle=match.cycle)
    evaluation_services.round_add_default_questions(round=evaluation_round)
    evaluation_services.invitations_ensure(round=evaluation_round)
    invitation = evaluation_round.invitations.get(user=mentee)
    evaluation_services.response_submit(
        invitation=invitation, user=mentee, answers=answers_for(evaluation_round, "mentee", text=f"Antwoord {SECRET}")
    )
    coordinator_first = CoordinatorFactory()

    services.match_activation_record(match_id=match.pk)
    day = timezone.localdate()
    outbox.messages_record(
        [
            outbox.message_build(kind=kind, recipient=person, about=match)
            for kind in (Kind.QUIET_PAIR_NUDGE, Kind.MEETINGS_REMINDER, Kind.RENEWAL_QUESTION)
            for person in (mentee, mentor)
        ]
        + [outbox.message_build(kind=Kind.EVALUATION_REMINDER, recipient=mentor, about=invitation, period="7d")]
    )
    # Issue 15: first contact, the partner's meeting changes, "does it fit?", not matched.
    fit_check = FitCheck.objects.create(
        match=match,
        member=mentee,
        answer=FitCheck.Answer.NO,
        note=f"Klikt niet {SECRET}",
        answered_at=timezone.now(),
    )
    outbox.messages_record(
        [
            outbox.message_build(kind=Kind.FIRST_CONTACT_REMINDER, recipient=mentee, about=match),
            outbox.message_build(kind=Kind.FIT_CHECK_QUESTION, recipient=mentor, about=fit_check),
            outbox.message_build(kind=Kind.FIT_CHECK_CONCERN, recipient=coordinator_first, about=fit_check),
            outbox.message_build(kind=Kind.NOT_MATCHED, recipient=mentee, about=application),
            # Issue 28 §4: the correction after a pair was undone within the hour.
            outbox.message_build(kind=Kind.MATCH_UNDONE, recipient=mentee, about=application, period="u1"),
        ]
        # Issue 25 §3: the mentor is asked to agree, and reminded.
        + [
            outbox.message_build(kind=kind, recipient=mentor, about=asked)
            for asked in [
                Match.objects.create(
                    cycle=match.cycle,
                    mentor=mentor,
                    mentee=MemberFactory(full_name="Lotte Visser"),
                    status=Match.Status.AWAITING_MENTOR,
                    mentor_answer_due=timezone.localdate() + datetime.timedelta(days=5),
                )
            ]
            for kind in (Kind.MENTOR_ASKED, Kind.MENTOR_ASKED_REMINDER)
        ]
        + [
            outbox.message_build(kind=kind, recipient=mentor, about=meeting, period=f"v{number}")
            for number, kind in enumerate((Kind.MEETING_PLANNED, Kind.MEETING_CHANGED, Kind.MEETING_CANCELLED))
        ]
        # Issue 26 §4: the day-before reminder and "did it happen?".
        + [
            outbox.message_build(kind=kind, recipient=mentee, about=meeting)
            for kind in (Kind.MEETING_TOMORROW, Kind.MEETING_HELD_QUESTION)
        ]
        # Issue 26 §2: the check-in halfway, "jullie doelen".
        + [outbox.message_build(kind=Kind.GOALS_CHECK_IN, recipient=person, about=match) for person in (mentee, mentor)]
    )
    services.pair_dates_changed_record(matches=[match])  # issue 25 §9: the cycle's dates moved
    digest_record(day=day)  # the roof records it; the outbox builds it with the roof's builder
    services.partner_left_record(match_id=match.pk, partner_id=mentor.pk)
    notice = RetentionNotice.objects.create(
        user=mentee, topic=RetentionNotice.Topic.values[0], erase_on=day + datetime.timedelta(days=30)
    )
    services.retention_notice_record(notice_id=notice.pk)
    coordinator = CoordinatorFactory()
    profile_verify(profile=ProfileFactory(), by=coordinator)
    profile_reject(profile=ProfileFactory(), by=coordinator, reason="Het lidnummer hoort bij iemand anders.")

    # allauth's mails, through the real pages.
    client.post(
        reverse("account_signup"),
        {"full_name": "Nieuw Lid", "email": "nieuw@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.post(
        reverse("account_signup"),
        {"full_name": "Iemand", "email": "sanne@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.post(reverse("account_reset_password"), {"email": "marieke@example.org"})
    client.post(reverse("account_reset_password"), {"email": "onbekend@example.org"})
    changer = UserFactory(email="oud@example.org")
    client.force_login(changer)
    client.post(reverse("account_email"), {"action_add": "", "email": "nieuw-adres@example.org"})
    client.logout()
    return OutboxMessage.objects.select_related("recipient")


def test_every_kind_of_mail_and_every_account_mail_is_made(every_mail):
    assert set(every_mail.values_list("kind", flat=True)) == set(Kind.values)
    assert set(every_mail.filter(kind=Kind.ACCOUNT).values_list("template", flat=True)) == ACCOUNT_MAILS


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_mail_reads_well_in_both_languages_and_carries_no_secret(every_mail, language, monkeypatch):
    monkeypatch.setattr(email_build, "message_language", lambda message: language)
    other = "en" if language == "nl" else "nl"
    for message in every_mail:
        email = build_email(message)
        text = bodies(email)
        assert SECRET not in text, (message.kind, message.template)
        assert email.subject and "%(" not in text and "{{" not in text and "{%" not in text, (message.kind, text)
        assert email.extra_headers["Auto-Submitted"] == "auto-generated"
        assert email.reply_to == ["vrouwennetwerk@nob.net"] or email.reply_to
        with monkeypatch.context() as switched:
            switched.setattr(email_build, "message_language", lambda message: other)
            assert build_email(message).subject != email.subject, "translated"


def test_account_mails_carry_their_link_on_the_site_address_and_the_admin_never_shows_it(every_mail, client, settings):
    signup = every_mail.get(template="account/email/email_confirmation_signup")
    email = build_email(signup)
    assert email.to == ["nieuw@example.org"]
    assert f"{settings.SITE_URL}/account/confirm-email/" in email.body
    key = email.body.split("/account/confirm-email/")[1].split("/")[0]
    # Encrypted at rest: neither the key nor the link is readable in the row.
    assert key not in signup.sealed_context and "confirm-email" not in signup.sealed_context

    client.force_login(CoordinatorFactory())
    page = client.get(reverse("admin:notifications_outboxmessage_change", args=[signup.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "nieuw@example.org" in content
    assert key not in content and signup.sealed_context not in content

    # Once sent, the sealed link is gone from the database.
    delivery.outbox_deliver_due()
    signup.refresh_from_db()
    assert (signup.status, signup.sealed_context) == (OutboxMessage.Status.SENT, "")
