"""Applications, hard rules when pairs are made, the lifecycle state machine and renewal (R3–R8)."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import VerificationStatus
from accounts.tests.factories import ExpertiseFactory, MemberFactory, ProfileFactory, UserFactory
from matching import agreements, renewal, services
from matching.models import Agreement, Application, Cycle, Match, RenewalAnswer, Role
from matching.signals import match_activated
from matching.tests.factories import (
    ActiveMatchFactory,
    ApplicationFactory,
    CycleFactory,
    MentorApplicationFactory,
    confirm_pair,
)

pytestmark = pytest.mark.django_db

QUESTION = "Hoe bouw ik een netwerk op buiten mijn eigen kantoor?"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def junior():
    """A verified member with 3 years of experience: mentee only (R3)."""
    user = UserFactory()
    ProfileFactory(user=user, verified=True, career_start_year=timezone.localdate().year - 3)
    return user


# --- Applications -------------------------------------------------------------------


def test_a_verified_member_applies_as_mentee_with_her_question(cycle):
    topic = ExpertiseFactory(name="Btw")

    application = services.application_submit(
        member=MemberFactory(), cycle=cycle, role=Role.MENTEE, mentoring_question=QUESTION, topics=[topic]
    )

    assert application.status == Application.Status.SUBMITTED
    assert list(application.topics.all()) == [topic]


def test_a_mentee_needs_a_mentoring_question(cycle):  # R7
    with pytest.raises(ValidationError) as error:
        services.application_submit(member=MemberFactory(), cycle=cycle, role=Role.MENTEE, mentoring_question="  ")

    assert "mentoring_question" in error.value.message_dict


def test_an_unverified_member_cannot_apply(cycle):  # R2
    user = UserFactory()
    ProfileFactory(user=user)

    with pytest.raises(ValidationError, match="awaiting verification"):
        services.application_submit(member=user, cycle=cycle, role=Role.MENTEE, mentoring_question=QUESTION)


def test_five_years_or_less_cannot_apply_as_mentor_but_can_as_mentee(cycle):  # R3
    member = junior()

    with pytest.raises(ValidationError, match="more than 5 years"):
        services.application_submit(member=member, cycle=cycle, role=Role.MENTOR, capacity=1)
    assert services.application_submit(member=member, cycle=cycle, role=Role.MENTEE, mentoring_question=QUESTION)


def test_mentor_capacity_is_one_to_three(cycle):
    with pytest.raises(ValidationError):
        services.application_submit(member=MemberFactory(), cycle=cycle, role=Role.MENTOR, capacity=4)


@pytest.mark.parametrize(
    "cycle_fields",
    [
        {"status": Cycle.Status.DRAFT},
        {"status": Cycle.Status.MATCHING},
        {"applications_close": datetime.date(2020, 1, 31), "applications_open": datetime.date(2020, 1, 1)},
    ],
)
def test_no_applications_outside_an_open_window(cycle_fields):
    cycle = CycleFactory(**cycle_fields)

    with pytest.raises(ValidationError, match="closed"):
        services.application_submit(member=MemberFactory(), cycle=cycle, role=Role.MENTEE, mentoring_question=QUESTION)


def test_applying_twice_is_refused_but_applying_again_after_withdrawing_works(mentee_application):
    member, cycle = mentee_application.member, mentee_application.cycle
    with pytest.raises(ValidationError, match="already applied"):
        services.application_submit(member=member, cycle=cycle, role=Role.MENTEE, mentoring_question=QUESTION)

    services.application_withdraw(application=mentee_application, by=member)
    again = services.application_submit(member=member, cycle=cycle, role=Role.MENTEE, mentoring_question=QUESTION)

    assert again.pk == mentee_application.pk
    assert again.status == Application.Status.SUBMITTED


def test_she_can_edit_until_she_is_matched(mentor_application, mentee_application, coordinator):  # R6
    services.application_update(application=mentee_application, mentoring_question="Een nieuwe vraag")
    confirm_pair(mentor_application, mentee_application, by=coordinator)

    with pytest.raises(ValidationError, match="matched already"):
        services.application_update(application=mentee_application, mentoring_question="Nog een vraag")


def test_withdrawing_after_a_match_ends_it_early_with_her_reason(mentor_application, mentee_application, coordinator):
    match = confirm_pair(mentor_application, mentee_application, by=coordinator)
    member = mentee_application.member
    with pytest.raises(ValidationError) as error:
        services.application_withdraw(application=mentee_application, by=member)
    assert {"reason", "category"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.application_withdraw(application=mentee_application, by=member, reason="Weg", category="unknown")
    assert set(error.value.message_dict) == {"category"}

    services.application_withdraw(
        application=mentee_application, by=member, reason="Nieuwe baan in het buitenland", category="circumstances"
    )

    match.refresh_from_db()
    assert match.status == Match.Status.ENDED_EARLY
    assert match.end_reason == "Nieuwe baan in het buitenland"
    assert match.end_category == Match.EndCategory.CIRCUMSTANCES
    assert match.ended_by == member


# --- Hard rules when a pair is made ------------------------------------------------


def test_confirming_activates_the_pair_for_a_year_and_tells_listeners_in_its_transaction(
    mentor_application, mentee_application, coordinator, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, match_id, **kwargs):
        received.append(match_id)

    match_activated.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False):
            match = confirm_pair(mentor_application, mentee_application, by=coordinator)
        # Before the commit: what a listener records (the R8 e-mail) commits or rolls back with the match.
        assert received == [match.pk]
    finally:
        match_activated.disconnect(listener)

    # Matched before the cycle's start: 'gekoppeld' until the start date, then active (R4).
    assert match.status == Match.Status.CONFIRMED
    assert match.start_date == mentor_application.cycle.planned_start
    assert match.planned_end == match.start_date + relativedelta(months=12)  # R4
    assert match.agreement.mission == mentee_application.mentoring_question  # R7, R16


def test_a_mentor_never_gets_more_mentees_than_her_capacity(mentor_application, coordinator):
    first, second = ApplicationFactory.create_batch(2, cycle=mentor_application.cycle)
    confirm_pair(mentor_application, first, by=coordinator)

    with pytest.raises(ValidationError, match="no free place"):
        confirm_pair(mentor_application, second, by=coordinator)
    assert Match.objects.count() == 1


def test_a_mentee_never_gets_a_second_mentor_in_the_cycle(mentee_application, coordinator):
    first, second = MentorApplicationFactory.create_batch(2, cycle=mentee_application.cycle)
    confirm_pair(first, mentee_application, by=coordinator)

    with pytest.raises(ValidationError, match="already has a mentor"):
        confirm_pair(second, mentee_application, by=coordinator)


def test_not_from_her_own_organisation_unless_she_allows_it(cycle, coordinator):
    mentor_application = MentorApplicationFactory(cycle=cycle)
    colleague = MemberFactory()
    colleague.profile.organisation = mentor_application.member.profile.organisation.upper()
    colleague.profile.save()
    mentee_application = ApplicationFactory(cycle=cycle, member=colleague)

    with pytest.raises(ValidationError, match="same organisation"):
        confirm_pair(mentor_application, mentee_application, by=coordinator)

    mentee_application.allow_same_organisation = True
    mentee_application.save()
    assert confirm_pair(mentor_application, mentee_application, by=coordinator)


def test_a_member_cannot_mentor_herself(cycle, coordinator):
    member = MemberFactory()
    mentor_application = MentorApplicationFactory(cycle=cycle, member=member)
    mentee_application = ApplicationFactory(cycle=cycle, member=member)

    with pytest.raises(ValidationError, match="her own mentor"):
        confirm_pair(mentor_application, mentee_application, by=coordinator)


def test_a_mentor_whose_verification_was_withdrawn_is_not_matched(mentor_application, mentee_application, coordinator):
    profile = mentor_application.member.profile
    profile.verification_status = VerificationStatus.REJECTED
    profile.save()

    with pytest.raises(ValidationError, match="could not be verified"):
        confirm_pair(mentor_application, mentee_application, by=coordinator)


def test_a_mentor_who_no_longer_has_more_than_five_years_is_not_matched(
    mentor_application, mentee_application, coordinator
):
    # She corrected her career start after applying: eligibility counts when the pair is made (R3).
    profile = mentor_application.member.profile
    profile.career_start_year = timezone.localdate().year - 5
    profile.save()

    with pytest.raises(ValidationError, match="more than 5 years"):
        confirm_pair(mentor_application, mentee_application, by=coordinator)
    assert not Match.objects.exists()


def _colleague_of(application):
    colleague = MemberFactory()
    colleague.profile.organisation = application.member.profile.organisation
    colleague.profile.save()
    return colleague


@pytest.mark.parametrize(
    "rule, message",
    [
        ("herself", "her own mentor"),
        ("same_organisation", "same organisation"),
        ("unverified_mentor", "could not be verified"),
        ("junior_mentor", "more than 5 years"),
        ("mentee_twice", "already has a mentor"),
        ("withdrawn_mentee", "withdrawn"),
    ],
)
def test_a_confirmed_proposal_keeps_every_hard_rule(cycle, coordinator, rule, message):
    mentor_application = MentorApplicationFactory(cycle=cycle, capacity=3)
    fine_mentee = ApplicationFactory(cycle=cycle)
    pairs = [(mentor_application.pk, fine_mentee.pk)]
    if rule == "herself":
        pairs.append((mentor_application.pk, ApplicationFactory(cycle=cycle, member=mentor_application.member).pk))
    elif rule == "same_organisation":
        colleague = _colleague_of(mentor_application)
        pairs.append((mentor_application.pk, ApplicationFactory(cycle=cycle, member=colleague).pk))
    elif rule in ("unverified_mentor", "junior_mentor"):
        other_mentor = MentorApplicationFactory(cycle=cycle)
        profile = other_mentor.member.profile
        if rule == "unverified_mentor":
            profile.verification_status = VerificationStatus.REJECTED
        else:
            profile.career_start_year = timezone.localdate().year - 4
        profile.save()
        pairs.append((other_mentor.pk, ApplicationFactory(cycle=cycle).pk))
    elif rule == "mentee_twice":
        pairs.append((MentorApplicationFactory(cycle=cycle).pk, fine_mentee.pk))
    elif rule == "withdrawn_mentee":
        withdrawn = ApplicationFactory(cycle=cycle)
        services.application_withdraw(application=withdrawn, by=withdrawn.member)
        pairs.append((mentor_application.pk, withdrawn.pk))

    with pytest.raises(ValidationError, match=message):
        services.proposal_confirm(before_window_closes=True, cycle=cycle, pairs=pairs, by=coordinator)
    assert not Match.objects.exists()  # all or nothing


def test_a_withdrawn_application_is_not_matched(mentor_application, mentee_application, coordinator):
    services.application_withdraw(application=mentee_application, by=mentee_application.member)

    with pytest.raises(ValidationError, match="withdrawn"):
        confirm_pair(mentor_application, mentee_application, by=coordinator)


def test_a_confirmed_proposal_is_all_or_nothing(mentor_application, coordinator):
    first, second = ApplicationFactory.create_batch(2, cycle=mentor_application.cycle)

    with pytest.raises(ValidationError, match="no free place"):
        services.proposal_confirm(
            before_window_closes=True,
            cycle=mentor_application.cycle,
            pairs=[(mentor_application.pk, first.pk), (mentor_application.pk, second.pk)],
            by=coordinator,
        )
    assert not Match.objects.exists()


def test_a_proposal_cannot_smuggle_in_another_cycles_application(mentor_application, coordinator):
    elsewhere = ApplicationFactory()

    with pytest.raises(ValidationError, match="does not belong"):
        services.proposal_confirm(
            before_window_closes=True,
            cycle=mentor_application.cycle,
            pairs=[(mentor_application.pk, elsewhere.pk)],
            by=coordinator,
        )


# --- Lifecycle ----------------------------------------------------------------------


def test_an_active_match_cannot_be_activated_again(coordinator):
    match = ActiveMatchFactory()

    with pytest.raises(ValidationError, match="A match that is active cannot become (active|matched)"):
        services.match_activate(match=match, by=coordinator)


def test_a_finished_match_cannot_be_ended_early(coordinator):
    match = ActiveMatchFactory(status=Match.Status.COMPLETED)

    with pytest.raises(ValidationError, match="completed cannot become ended early"):
        services.match_end_early(match=match, by=coordinator, reason="Dubbel", category="other")


def test_ending_early_needs_a_reason_and_records_who(coordinator):
    match = ActiveMatchFactory()
    with pytest.raises(ValidationError):
        services.match_end_early(match=match, by=coordinator, reason=" ", category="time")

    with pytest.raises(ValidationError) as error:
        services.match_end_early(match=match, by=coordinator, reason="Te druk", category="")
    assert set(error.value.message_dict) == {"end_category"}  # issue 27 §2: the category is required
    with pytest.raises(ValidationError):
        services.match_end_early(match=match, by=coordinator, reason="Te druk", category="bored")

    services.match_end_early(match=match, by=match.mentee, reason="Te druk", category="time")

    match.refresh_from_db()
    assert (match.status, match.ended_by, match.ended_on, match.end_category) == (
        Match.Status.ENDED_EARLY,
        match.mentee,
        timezone.localdate(),
        Match.EndCategory.TIME,
    )


def test_a_year_is_completed_from_its_last_month_not_before(coordinator):
    match = ActiveMatchFactory()
    with pytest.raises(ValidationError, match="end it early"):
        services.match_complete(match=match, by=coordinator)

    with time_machine.travel(match.planned_end, tick=False):
        services.match_complete(match=match, by=coordinator)

    match.refresh_from_db()
    assert match.status == Match.Status.COMPLETED
    assert match.ended_on == match.planned_end


def test_the_database_refuses_a_planned_end_before_the_start():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ActiveMatchFactory(planned_end=timezone.localdate() - datetime.timedelta(days=1))


# --- Renewal (R5) ---------------------------------------------------------------------


@pytest.fixture
def ending_match():
    """An active pair in the last month of its year, with an agreement."""
    start = timezone.localdate() - relativedelta(months=11, days=10)
    match = ActiveMatchFactory(start_date=start, planned_end=start + relativedelta(months=12))
    agreements.agreement_ensure(match=match)
    return match


def test_the_renewal_question_is_not_asked_before_the_last_month():
    match = ActiveMatchFactory()

    with pytest.raises(ValidationError, match="last month"):
        renewal.renewal_answer_record(match=match, member=match.mentee, wants_to_continue=True)


def test_one_yes_is_not_enough_to_renew(ending_match, coordinator):
    renewal.renewal_answer_record(match=ending_match, member=ending_match.mentee, wants_to_continue=True)

    with pytest.raises(ValidationError, match="both want to continue"):
        renewal.match_renew(match=ending_match, by=coordinator)


def test_a_no_from_either_partner_means_no_renewal(ending_match, coordinator):
    renewal.renewal_answer_record(match=ending_match, member=ending_match.mentee, wants_to_continue=True)
    renewal.renewal_answer_record(match=ending_match, member=ending_match.mentor, wants_to_continue=False)

    with pytest.raises(ValidationError, match="both want to continue"):
        renewal.match_renew(match=ending_match, by=coordinator)


def test_only_the_pair_answers_the_renewal_question(ending_match):
    with pytest.raises(ValidationError):
        renewal.renewal_answer_record(match=ending_match, member=MemberFactory(), wants_to_continue=True)


def test_two_yeses_let_a_coordinator_start_a_new_term_keeping_the_history(ending_match, coordinator):
    ending_match.agreement.meeting_frequency = "maandelijks"
    ending_match.agreement.save()
    for member in (ending_match.mentor, ending_match.mentee):
        renewal.renewal_answer_record(match=ending_match, member=member, wants_to_continue=True)
    assert not Match.objects.filter(previous_term=ending_match).exists()  # the coordinator starts it (default)

    new_term = renewal.match_renew(match=ending_match, by=coordinator, mission="Nu: leidinggeven")

    ending_match.refresh_from_db()
    assert ending_match.status == Match.Status.COMPLETED
    # The new term starts where this one ends: until then it is confirmed, not yet active.
    assert (new_term.status, new_term.term, new_term.previous_term) == (Match.Status.CONFIRMED, 2, ending_match)
    assert new_term.start_date == ending_match.planned_end
    assert new_term.planned_end == new_term.start_date + relativedelta(months=12)
    assert new_term.agreement.mission == "Nu: leidinggeven"
    assert new_term.agreement.meeting_frequency == "maandelijks"
    with pytest.raises(ValidationError):
        renewal.match_renew(match=ending_match, by=coordinator)


def test_the_system_can_start_the_new_term_on_the_second_yes(ending_match, settings):
    settings.MATCHING_RENEWAL_STARTED_BY = "system"
    renewal.renewal_answer_record(match=ending_match, member=ending_match.mentor, wants_to_continue=True)
    assert not Match.objects.filter(previous_term=ending_match).exists()

    renewal.renewal_answer_record(match=ending_match, member=ending_match.mentee, wants_to_continue=True)

    new_term = Match.objects.get(previous_term=ending_match)
    assert new_term.term == 2
    assert new_term.agreement.mission == ending_match.agreement.mission


def test_no_new_term_for_a_member_who_may_no_longer_take_part(ending_match, coordinator, settings):
    # R2 at renewal: both said yes, but the mentor's membership could not be verified any more.
    profile = ending_match.mentor.profile
    profile.verification_status = VerificationStatus.REJECTED
    profile.save()
    settings.MATCHING_RENEWAL_STARTED_BY = "system"
    for member in (ending_match.mentor, ending_match.mentee):
        renewal.renewal_answer_record(match=ending_match, member=member, wants_to_continue=True)

    assert ending_match.renewal_answers.count() == 2  # both answers count, yet no new term started
    with pytest.raises(ValidationError, match="cannot start a new term"):
        renewal.match_renew(match=ending_match, by=coordinator)
    ending_match.refresh_from_db()
    assert ending_match.status == Match.Status.ACTIVE
    assert not Match.objects.filter(previous_term=ending_match).exists()


# --- Agreement (R16) ------------------------------------------------------------------


def test_each_changed_part_of_the_agreement_is_stamped_when_agreed():
    match = ActiveMatchFactory()
    agreements.agreement_update(match=match, by=match.mentee, mission="Groeien naar partner", networking="")

    agreement = Agreement.objects.get(match=match)
    assert agreement.mission_agreed_at is not None
    assert agreement.networking_agreed_at is None  # unchanged, so not stamped


def test_each_partner_confirms_trust_herself_and_outsiders_cannot():  # R11
    match = ActiveMatchFactory()
    agreements.agreement_confirm_trust(match=match, by=match.mentor)

    agreement = Agreement.objects.get(match=match)
    assert agreement.trust_confirmed_by_mentor_at is not None
    assert agreement.trust_confirmed_by_mentee_at is None
    with pytest.raises(ValidationError):
        agreements.agreement_confirm_trust(match=match, by=MemberFactory())


def test_the_daily_job_completes_finished_years_but_keeps_pairs_who_continue(ending_match):
    finished = ActiveMatchFactory(
        start_date=timezone.localdate() - relativedelta(months=12, days=2),
        planned_end=timezone.localdate() - datetime.timedelta(days=2),
    )
    continuing = ActiveMatchFactory(
        start_date=timezone.localdate() - relativedelta(months=12, days=2),
        planned_end=timezone.localdate() - datetime.timedelta(days=2),
    )
    for member in (continuing.mentor, continuing.mentee):
        RenewalAnswer.objects.create(match=continuing, member=member, wants_to_continue=True)

    from matching.tasks import complete_finished_matches

    assert complete_finished_matches.delay().get() == 1

    finished.refresh_from_db()
    continuing.refresh_from_db()
    ending_match.refresh_from_db()
    assert finished.status == Match.Status.COMPLETED
    assert continuing.status == Match.Status.ACTIVE
    assert ending_match.status == Match.Status.ACTIVE  # still in its year
