"""Issue 25 §4 (a mentor's places and pause) and §5 (pairs that did not work out are remembered across cycles)."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching import fit_checks, koppelscherm, pair_memory, places, selectors, services, solver, suggestions
from matching.models import Cycle, FitCheck, PairOverride
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory, confirm_pair

pytestmark = pytest.mark.django_db


def _suggested(cycle, mentee_application) -> list[int]:
    (row,) = [row for row in koppelscherm.matching_page(cycle=cycle).rows if row["application"] == mentee_application]
    return [suggestion.mentor.application_id for suggestion in row["suggestions"]]


def _proposed(cycle) -> dict[int, int]:
    """mentee application id -> mentor application id, as the optimal proposal pairs them."""
    mentors, mentees, _names = selectors.cycle_candidates(cycle=cycle)
    pairs = solver.propose(mentors, mentees).pairs
    return {mentees[row].application_id: mentors[column].application_id for row, column in pairs}


# --- §4 Places and pause --------------------------------------------------------------------------


@pytest.fixture
def matched_mentor(cycle):
    """A mentor with one place, taken: the Koppelscherm has no mentor for the next mentee."""
    mentor = MentorApplicationFactory(cycle=cycle, capacity=1)
    confirm_pair(mentor, ApplicationFactory(cycle=cycle), by=CoordinatorFactory())
    waiting = ApplicationFactory(cycle=cycle)
    assert _suggested(cycle, waiting) == []
    return mentor, waiting


def test_a_matched_mentor_raises_her_places_on_her_own_page_and_is_suggested_again(client, cycle, matched_mentor):
    mentor, waiting = matched_mentor
    client.force_login(mentor.member)
    url = reverse("matching:application_places", kwargs={"pk": mentor.pk})

    assert client.get(url).status_code == 200
    response = client.post(url, {"capacity": "2"})

    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.capacity == 2
    assert _suggested(cycle, waiting) == [mentor.pk]  # the kept candidate set followed the change
    assert not LogEntry.objects.exists()  # her own change needs no reason and is not a coordinator's


def test_she_can_never_go_below_her_live_pairs_and_the_form_says_so(client, cycle):
    mentor = MentorApplicationFactory(cycle=cycle, capacity=2)
    for _ in range(2):
        confirm_pair(mentor, ApplicationFactory(cycle=cycle), by=CoordinatorFactory())
    client.force_login(mentor.member)

    response = client.post(reverse("matching:application_places", kwargs={"pk": mentor.pk}), {"capacity": "1"})

    assert response.status_code == 200
    assert "Je hebt nu 2 mentees: kies ten minste 2 plekken." in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.capacity == 2


def test_a_pausing_mentor_is_neither_suggested_nor_proposed_nor_matchable(client, cycle):
    mentor = MentorApplicationFactory(cycle=cycle, capacity=3)
    mentee = ApplicationFactory(cycle=cycle)
    assert _suggested(cycle, mentee) == [mentor.pk]
    client.force_login(mentor.member)

    client.post(reverse("matching:application_places", kwargs={"pk": mentor.pk}), {"capacity": "3", "paused": "on"})

    assert _suggested(cycle, mentee) == []
    assert _proposed(cycle) == {}
    assert suggestions.candidate_set(cycle).free_places == 0
    with pytest.raises(ValidationError, match="pauzeert deze cyclus|is pausing this cycle"):
        confirm_pair(mentor, mentee, by=CoordinatorFactory())


def test_a_coordinator_changes_places_in_the_admin_only_with_a_reason_and_it_is_logged(client, cycle, matched_mentor):
    mentor, waiting = matched_mentor
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    url = reverse("admin:matching_application_places", args=[mentor.pk])
    assert url in client.get(reverse("admin:matching_application_change", args=[mentor.pk])).content.decode()

    without_reason = client.post(url, {"capacity": "3"})
    assert without_reason.status_code == 200
    mentor.refresh_from_db()
    assert mentor.capacity == 1
    too_low = client.post(url, {"capacity": "1", "paused": "on", "reason": "x"})
    assert too_low.status_code == 302  # 1 place with 1 mentee is allowed, and she pauses
    response = client.post(url, {"capacity": "3", "reason": "Ze heeft meer tijd na haar verlof"})

    assert response.status_code == 302
    mentor.refresh_from_db()
    assert (mentor.capacity, mentor.paused) == (3, False)
    (entry, _earlier) = LogEntry.objects.filter(object_id=str(mentor.pk)).order_by("-action_time", "-pk")
    assert entry.user == coordinator
    assert "Ze heeft meer tijd na haar verlof" in entry.change_message
    assert _suggested(cycle, waiting) == [mentor.pk]


def test_places_stay_between_one_and_three_in_the_service_too(cycle, matched_mentor):
    mentor, _waiting = matched_mentor
    for capacity in (0, 4):
        with pytest.raises(ValidationError):
            places.mentor_places_set(application=mentor, capacity=capacity, paused=False, by=mentor.member)


# --- §5 Remembered across cycles -------------------------------------------------------------------


def _next_cycle():
    today = timezone.localdate()
    return CycleFactory(
        status=Cycle.Status.MATCHING,
        applications_open=today - datetime.timedelta(days=30),
        applications_close=today - datetime.timedelta(days=1),
        planned_start=today + datetime.timedelta(days=30),
    )


@pytest.fixture
def earlier_pair():
    """A mentor and a mentee who were paired in an earlier cycle; the test says how it went."""
    earlier = CycleFactory(status=Cycle.Status.OPEN)
    mentor, mentee = MemberFactory(), MemberFactory()
    match = confirm_pair(
        MentorApplicationFactory(cycle=earlier, member=mentor),
        ApplicationFactory(cycle=earlier, member=mentee),
        by=CoordinatorFactory(),
    )
    return match


@pytest.mark.parametrize("how", ["ended_early", "mentor_said_no", "mentee_said_no"])
def test_a_pair_that_did_not_work_out_is_not_suggested_proposed_or_matched_in_a_later_cycle(earlier_pair, how):
    match = earlier_pair
    if how == "ended_early":
        services.match_end_early(match=match, by=match.mentee, reason="Het klikte niet", category="fit")
    else:
        fit_checks.fit_checks_ask_after_meeting(match=match)
        member = match.mentor if how == "mentor_said_no" else match.mentee
        fit_checks.fit_check_answer(match=match, member=member, answer=FitCheck.Answer.NO)
    cycle = _next_cycle()
    mentor = MentorApplicationFactory(cycle=cycle, member=match.mentor, capacity=2)
    mentee = ApplicationFactory(cycle=cycle, member=match.mentee)
    other = MentorApplicationFactory(cycle=cycle)

    assert _suggested(cycle, mentee) == [other.pk]
    assert _proposed(cycle) == {mentee.pk: other.pk}
    with pytest.raises(ValidationError, match="eerder gekoppeld|paired before"):
        confirm_pair(mentor, mentee, by=CoordinatorFactory())


def test_a_pair_that_worked_is_suggested_again(earlier_pair):
    cycle = _next_cycle()
    mentor = MentorApplicationFactory(cycle=cycle, member=earlier_pair.mentor)
    mentee = ApplicationFactory(cycle=cycle, member=earlier_pair.mentee)

    assert _suggested(cycle, mentee) == [mentor.pk]
    assert _proposed(cycle) == {mentee.pk: mentor.pk}


def test_a_coordinator_allows_the_pair_again_with_a_reason_shown_on_the_koppelscherm(client, earlier_pair):
    match = earlier_pair
    services.match_end_early(
        match=match, by=match.mentee, reason="Verhuisd naar het buitenland", category="circumstances"
    )
    cycle = _next_cycle()
    mentor = MentorApplicationFactory(cycle=cycle, member=match.mentor)
    mentee = ApplicationFactory(cycle=cycle, member=match.mentee)
    assert _suggested(cycle, mentee) == []
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)

    refused = client.post(reverse("admin:matching_pairoverride_add"), {"pair": match.pk, "reason": ""})
    assert refused.status_code == 200 and not PairOverride.objects.exists()
    response = client.post(
        reverse("admin:matching_pairoverride_add"), {"pair": match.pk, "reason": "Ze is terug in Nederland"}
    )

    assert response.status_code == 302
    assert _suggested(cycle, mentee) == [mentor.pk]  # the kept candidate set followed the override
    page = client.get(reverse("admin:matching_cycle_matching", args=[cycle.pk])).content.decode()
    assert "Ze is terug in Nederland" in page
    confirm_pair(mentor, mentee, by=coordinator)
    with pytest.raises(ValidationError):
        pair_memory.pair_override_add(mentor=match.mentor, mentee=match.mentee, reason="nog eens", by=coordinator)
