"""The mentor agrees before her details go out (issue 25 §3): accept, decline, silence, switched off."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MemberFactory
from coordination.cockpit import needs_attention
from core import disclosure
from matching import selectors, services
from matching.models import Match
from matching.signals import match_activated
from matching.tests.factories import ApplicationFactory, MentorApplicationFactory, confirm_pair
from notifications.models import OutboxMessage
from notifications.services import pair_messages_record

pytestmark = pytest.mark.django_db
Kind = OutboxMessage.Kind


@pytest.fixture(autouse=True)
def _mentor_accepts():
    with override_settings(MATCHING_MENTOR_ACCEPTS=True, MATCHING_MENTOR_ACCEPT_DAYS=5):
        yield


@pytest.fixture
def asked(mentor_application, mentee_application, coordinator):
    return confirm_pair(mentor_application, mentee_application, by=coordinator)


def _kinds(user):
    return sorted(OutboxMessage.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_confirmed_pair_waits_for_the_mentor_and_the_mentee_hears_nothing(client, asked, mentee_application):
    mentee, mentor = asked.mentee, asked.mentor

    assert asked.status == Match.Status.AWAITING_MENTOR
    assert asked.mentor_answer_due == timezone.localdate() + datetime.timedelta(days=5)
    assert _kinds(mentor) == [Kind.MENTOR_ASKED]
    assert _kinds(mentee) == []  # R8: no contact details before the mentor's yes
    assert not selectors.may_see_contact_details(viewer=mentee, person=mentor)
    # Her place is held: no second mentee for a mentor with one place.
    assert selectors.free_places(application=asked.mentor_application) == 0
    client.force_login(mentee)
    overview = client.get(reverse("matching:overview")).content.decode()
    assert mentor.full_name not in overview
    assert selectors.application_state(application=mentee_application) != "matched"
    assert client.get(reverse("matching:pair_detail", args=[asked.pk])).status_code == 404
    assert client.get(reverse("matching:mentor_answer", args=[asked.pk])).status_code == 404
    client.force_login(MemberFactory())
    assert client.get(reverse("matching:mentor_answer", args=[asked.pk])).status_code == 404


def test_the_mentor_reads_her_name_question_and_the_reasons_but_not_that_she_was_chosen(
    client, mentor_application, mentee_application, coordinator
):
    # She ranked this mentor first: the ranking would be the first reason, and must not show.
    services.mentor_choices_set(
        application=mentee_application, by=mentee_application.member, mentor_application_ids=[mentor_application.pk]
    )
    asked = confirm_pair(mentor_application, mentee_application, by=coordinator)
    client.force_login(asked.mentor)

    page = client.get(reverse("matching:mentor_answer", args=[asked.pk])).content.decode()

    assert asked.mentee.full_name in page
    assert "Hoe groei ik door naar een leidinggevende rol" in page
    assert "jaar ervaring" in page  # a reason, as the Koppelscherm explains it
    assert "keus van de mentee" not in page
    assert asked.mentee.email not in page


def test_her_yes_sends_the_mentee_her_details_in_the_same_transaction(client, asked):
    client.force_login(asked.mentor)

    response = client.post(reverse("matching:mentor_answer", args=[asked.pk]), {"answer": "yes"})

    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status in Match.ONGOING_STATUSES
    assert asked.mentor_answered_at is not None and asked.confirmed_at is not None
    assert asked.planned_end is not None and hasattr(asked, "agreement")  # the pair's year starts
    assert _kinds(asked.mentee) == [Kind.MATCH_MENTEE]
    assert selectors.may_see_contact_details(viewer=asked.mentee, person=asked.mentor)


def test_a_yes_that_fails_records_no_mail_and_leaves_the_pair_waiting(asked):
    def fail(**kwargs):
        raise RuntimeError("the activation fails after the mail was recorded")

    match_activated.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError):
            services.match_mentor_accept(match=asked, by=asked.mentor)
    finally:
        match_activated.disconnect(dispatch_uid="test.fail")

    asked.refresh_from_db()
    assert asked.status == Match.Status.AWAITING_MENTOR
    assert _kinds(asked.mentee) == []


def test_only_the_mentor_answers_and_only_once(asked):
    with pytest.raises(ValidationError):
        services.match_mentor_accept(match=asked, by=asked.mentee)
    services.match_mentor_accept(match=asked, by=asked.mentor)
    with pytest.raises(ValidationError):
        services.match_mentor_decline(match=asked, by=asked.mentor, reason="toch niet")


def test_her_no_asks_a_reason_only_coordinators_see_and_the_mentee_never_hears(
    client, asked, coordinator, cycle, mentee_application
):
    client.force_login(asked.mentor)
    url = reverse("matching:mentor_answer", args=[asked.pk])
    response = client.post(url, {"answer": "no", "decline_reason": ""})
    assert response.status_code == 200 and "error-summary" in response.content.decode()

    response = client.post(url, {"answer": "no", "decline_reason": "Ik ken haar familie."})

    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == Match.Status.DECLINED
    assert _kinds(asked.mentee) == []
    assert not disclosure.may_see(asked.mentee, asked, "decline_reason")
    assert disclosure.may_see(coordinator, asked, "decline_reason")
    # She is waiting again, at the top of the Koppelscherm, and this mentor is not offered to her again.
    other = ApplicationFactory(cycle=cycle, member=MemberFactory(), created_at=timezone.now() - datetime.timedelta(1))
    mentees = list(selectors.cycle_mentees(cycle=cycle))
    assert [application.pk for application in mentees[:2]] == [mentee_application.pk, other.pk]
    assert asked.mentor_id in selectors.former_mentors_of(mentee=asked.mentee)
    assert selectors.application_state(application=mentee_application) in ("submitted", "waiting_list")
    client.force_login(asked.mentee)
    assert "Ik ken haar familie" not in client.get(reverse("matching:overview")).content.decode()
    from accounts.personal_data import contributors

    exported = [s for contributor in contributors() for s in contributor.collect(asked.mentee) if s.key == "pairs"]
    assert exported[0].records == []


def test_silence_brings_one_reminder_two_days_before_then_the_cockpit(asked):
    due = asked.mentor_answer_due

    assert pair_messages_record(day=due - datetime.timedelta(days=3))[Kind.MENTOR_ASKED_REMINDER] == 0
    pair_messages_record(day=due - datetime.timedelta(days=2))
    pair_messages_record(day=due - datetime.timedelta(days=1))  # run again: the outbox's unique key keeps one

    assert _kinds(asked.mentor) == [Kind.MENTOR_ASKED, Kind.MENTOR_ASKED_REMINDER]
    label = "koppels die na de datum nog op het antwoord van de mentor wachten"

    def silent(day):
        return next(item for item in needs_attention(None, today=day) if str(item.label) == label)

    assert silent(due).count == 0
    late = silent(due + datetime.timedelta(days=1))
    assert late.count == 1 and asked.mentor.full_name in late.names[0]


def test_switched_off_a_confirmation_matches_at_once_as_before(mentor_application, mentee_application, coordinator):
    with override_settings(MATCHING_MENTOR_ACCEPTS=False):
        match = confirm_pair(mentor_application, mentee_application, by=coordinator)

    assert match.status in Match.ONGOING_STATUSES
    assert _kinds(match.mentee) == [Kind.MATCH_MENTEE]
    assert _kinds(match.mentor) == [Kind.MATCH_MENTOR]


def test_a_proposal_confirmed_asks_each_mentor(cycle, coordinator):
    mentors = [MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=1) for _ in range(2)]
    mentees = [ApplicationFactory(cycle=cycle, member=MemberFactory()) for _ in range(2)]

    with transaction.atomic():
        matches = services.proposal_confirm(
            cycle=cycle,
            pairs=[(mentors[0].pk, mentees[0].pk), (mentors[1].pk, mentees[1].pk)],
            by=coordinator,
            before_window_closes=True,
        )

    assert {match.status for match in matches} == {Match.Status.AWAITING_MENTOR}
    assert OutboxMessage.objects.filter(kind=Kind.MENTOR_ASKED).count() == 2
    assert not OutboxMessage.objects.filter(kind=Kind.MATCH_MENTEE).exists()


def test_a_mentee_who_withdraws_while_the_mentor_is_asked_is_not_asked_why(asked, mentee_application):
    services.application_withdraw(application=mentee_application, by=asked.mentee)

    asked.refresh_from_db()
    assert asked.status == Match.Status.ENDED_EARLY
    assert _kinds(asked.mentor) == [Kind.MENTOR_ASKED]
