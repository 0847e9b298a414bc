"""Issue 25 §8: a mentee not matched in a cycle carries her application to the next cycle in one step,
and the coordinators see the waiting list on the cockpit."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, ExpertiseFactory, MemberFactory
from matching import selectors, services, waiting_list
from matching.models import Application, Cycle, Match, MentorChoice, Role
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def not_matched():
    """A mentee left without a mentor when matching closed, and the next cycle open for applications."""
    today = timezone.localdate()
    past = CycleFactory(
        name="2027",
        status=Cycle.Status.MATCHING,
        applications_open=today - datetime.timedelta(days=60),
        applications_close=today - datetime.timedelta(days=30),
        planned_start=today + datetime.timedelta(days=5),
    )
    mentee = ApplicationFactory(
        cycle=past,
        mentoring_question="Hoe bouw ik een netwerk buiten mijn eigen kantoor op?",
        prefers_same_region=True,
        avoid_organisations="Kantoor X",
    )
    mentee.topics.set([ExpertiseFactory(name="Btw")])
    services.cycle_matching_close(cycle=past, by=CoordinatorFactory())
    following = CycleFactory(name="2028", planned_start=today + datetime.timedelta(days=365))
    return mentee, following


def test_she_carries_her_application_to_the_next_cycle_in_one_confirmed_step(client, not_matched):
    mentee, following = not_matched
    client.force_login(mentee.member)
    overview = client.get(reverse("matching:overview")).content.decode()
    url = reverse("matching:application_carry_over", kwargs={"pk": mentee.pk})
    assert url in overview
    assert "Meenemen naar cyclus 2028" in overview

    asked = client.get(url).content.decode()  # she is asked to confirm and sees her mentorvraag
    assert "Hoe bouw ik een netwerk buiten mijn eigen kantoor op?" in asked
    assert not Application.objects.filter(cycle=following).exists()
    response = client.post(url)

    assert response.status_code == 302
    carried = Application.objects.get(cycle=following, member=mentee.member, role=Role.MENTEE)
    assert carried.mentoring_question == mentee.mentoring_question
    assert carried.prefers_same_region and carried.avoid_organisations == "Kantoor X"
    assert [topic.name for topic in carried.topics.all()] == ["Btw"]
    assert carried.carried_from == mentee
    mentee.refresh_from_db()
    assert mentee.status == Application.Status.CARRIED
    assert not selectors.waiting_list().exists()
    page = client.get(reverse("matching:overview")).content.decode()
    assert "Meegenomen naar een latere cyclus" in page
    assert url not in page


def test_only_a_waiting_mentee_can_carry_and_only_once(not_matched):
    mentee, following = not_matched
    with pytest.raises(ValidationError):
        waiting_list.application_carry_over(application=mentee, by=MemberFactory())
    waiting_list.application_carry_over(application=mentee, by=mentee.member)
    with pytest.raises(ValidationError):
        waiting_list.application_carry_over(application=mentee, by=mentee.member)


def test_the_cockpit_shows_the_waiting_list(client, not_matched):
    mentee, _following = not_matched
    client.force_login(CoordinatorFactory())

    page = client.get(reverse("coordination")).content.decode()

    assert "wachtlijst" in page.lower()
    assert mentee.member.full_name in page
    waiting_url = reverse("admin:matching_application_changelist") + "?wachtlijst=1"
    assert waiting_url in page
    assert mentee.member.full_name in client.get(waiting_url).content.decode()


def test_her_ranked_mentors_who_applied_again_go_along_in_her_order(client, not_matched):
    mentee, following = not_matched
    first, second, gone = (MemberFactory() for _ in range(3))
    for rank, mentor in enumerate((gone, second, first), start=1):
        application = MentorApplicationFactory(cycle=mentee.cycle, member=mentor)
        MentorChoice.objects.create(application=mentee, mentor_application=application, rank=rank)
    again = {mentor: MentorApplicationFactory(cycle=following, member=mentor) for mentor in (first, second)}
    client.force_login(mentee.member)
    url = reverse("matching:application_carry_over", kwargs={"pk": mentee.pk})
    assert second.full_name in client.get(url).content.decode()  # she sees which choices go along

    client.post(url)

    carried = Application.objects.get(cycle=following, member=mentee.member)
    ranked = list(
        MentorChoice.objects.filter(application=carried).order_by("rank").values_list("mentor_application", "rank")
    )
    assert ranked == [(again[second].pk, 1), (again[first].pk, 2)]


def test_her_programme_page_finds_every_carry_target_in_one_query(not_matched, django_assert_num_queries):
    """The overview asks the waiting list once for all her applications, and offers what the one-by-one
    rule offers: the next open cycle for the waiting one, nothing for one matched or already taken along."""
    mentee, following = not_matched
    today = timezone.localdate()
    older = CycleFactory(
        status=Cycle.Status.CLOSED,
        applications_open=today - datetime.timedelta(days=500),
        applications_close=today - datetime.timedelta(days=470),
        planned_start=today - datetime.timedelta(days=400),
    )
    ApplicationFactory(cycle=older, member=mentee.member)
    hers = list(selectors.applications_for_user(user=mentee.member))
    cycles = list(selectors.open_cycles())
    one_by_one = {application.pk: selectors.carry_over_target(application=application) for application in hers}
    assert one_by_one[mentee.pk] == following

    with django_assert_num_queries(1):
        at_once = selectors.carry_over_targets(applications=hers, candidates=hers, open_cycles=cycles)
    assert at_once == one_by_one

    ApplicationFactory(cycle=following, member=mentee.member)  # she applied to 2028 herself
    hers = list(selectors.applications_for_user(user=mentee.member))
    at_once = selectors.carry_over_targets(applications=hers, candidates=hers, open_cycles=cycles)
    assert set(at_once.values()) == {None}


def _completed_year(role_of_member):
    """Last year's closed cycle in which her pair completed its year (R4)."""
    today = timezone.localdate()
    cycle = CycleFactory(
        name="2026",
        status=Cycle.Status.CLOSED,
        applications_open=today - datetime.timedelta(days=500),
        applications_close=today - datetime.timedelta(days=450),
        planned_start=today - datetime.timedelta(days=400),
    )
    mentor_application = MentorApplicationFactory(cycle=cycle, capacity=1)
    mentee_application = ApplicationFactory(cycle=cycle)
    ActiveMatchFactory(
        cycle=cycle,
        mentor=mentor_application.member,
        mentor_application=mentor_application,
        mentee=mentee_application.member,
        mentee_application=mentee_application,
        status=Match.Status.COMPLETED,
        start_date=today - datetime.timedelta(days=400),
        confirmed_at=timezone.now() - datetime.timedelta(days=410),
    )
    return mentor_application if role_of_member == "mentor" else mentee_application


@pytest.mark.parametrize("role", ["mentee", "mentor"])
def test_a_completed_year_reads_completed_not_waiting_list_and_offers_no_carry_over(client, role):
    application = _completed_year(role)
    CycleFactory(name="2028")  # a cycle open for applications

    annotated = selectors.applications_for_user(user=application.member).get(pk=application.pk)
    assert selectors.application_state(application=annotated) == "completed"
    assert selectors.application_state(application=Application.objects.get(pk=application.pk)) == "completed"
    assert application not in selectors.waiting_list()
    assert selectors.carry_over_target(application=application) is None

    client.force_login(application.member)
    page = client.get(reverse("matching:overview")).content.decode()
    assert "Mentorschap afgerond" in page
    assert "wachtlijst" not in page
    assert "Meenemen naar cyclus" not in page
