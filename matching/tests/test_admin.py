"""The coordinators' matching screen and the optimal proposal in the admin."""

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from accounts.models import VerificationStatus
from accounts.tests.factories import ExpertiseFactory, MemberFactory, UserFactory
from matching.models import Application, Cycle, Match, RenewalAnswer
from matching.tests.factories import (
    ActiveMatchFactory,
    ApplicationFactory,
    MatchingCycleFactory,
    MentorApplicationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(db):
    """Coordinators match once the application window has closed, before the cycle starts."""
    return MatchingCycleFactory()


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def start_proposal(coordinator_client, django_capture_on_commit_callbacks):
    """Start the background job; in tests the task runs in-process once the request's transaction commits."""

    def start(cycle):
        with django_capture_on_commit_callbacks(execute=True):
            coordinator_client.post(reverse("admin:matching_cycle_proposal", args=[cycle.pk]), {"action": "start"})

    return start


@pytest.fixture
def btw_pair(cycle):
    btw = ExpertiseFactory(name="Btw")
    mentor_application = MentorApplicationFactory(cycle=cycle, capacity=1)
    mentor_application.topics.set([btw])
    mentee_application = ApplicationFactory(cycle=cycle)
    mentee_application.topics.set([btw])
    return mentor_application, mentee_application


def test_the_matching_screen_lists_suggestions_with_reasons(coordinator_client, cycle, btw_pair):
    mentor_application, mentee_application = btw_pair

    response = coordinator_client.get(reverse("admin:matching_cycle_matching", args=[cycle.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert mentee_application.member.full_name in page
    assert mentor_application.member.full_name in page
    assert "beiden Btw" in page


def test_the_cycle_list_links_to_its_matching_screen(coordinator_client, cycle):
    page = coordinator_client.get(reverse("admin:matching_cycle_changelist")).content.decode()

    assert reverse("admin:matching_cycle_matching", args=[cycle.pk]) in page


def test_one_click_match_activates_the_pair(coordinator_client, cycle, btw_pair):
    mentor_application, mentee_application = btw_pair

    response = coordinator_client.post(
        reverse("admin:matching_cycle_match", args=[cycle.pk]),
        {"mentor": mentor_application.pk, "mentee": mentee_application.pk},
    )

    assert response.status_code == 302
    match = Match.objects.get()
    assert (match.mentor, match.mentee, match.status) == (
        mentor_application.member,
        mentee_application.member,
        Match.Status.CONFIRMED,  # 'gekoppeld' until the cycle starts
    )


def test_a_refused_match_is_explained_and_nothing_is_saved(coordinator_client, cycle):
    mentor_application = MentorApplicationFactory(cycle=cycle)
    colleague = MemberFactory()
    colleague.profile.organisation = mentor_application.member.profile.organisation
    colleague.profile.save()
    mentee_application = ApplicationFactory(cycle=cycle, member=colleague)

    response = coordinator_client.post(
        reverse("admin:matching_cycle_match", args=[cycle.pk]),
        {"mentor": mentor_application.pk, "mentee": mentee_application.pk},
        follow=True,
    )

    assert "zelfde organisatiegroep" in response.content.decode()
    assert not Match.objects.exists()


def test_hand_made_posts_with_bad_ids_do_not_break_the_screen(coordinator_client, cycle):
    response = coordinator_client.post(
        reverse("admin:matching_cycle_match", args=[cycle.pk]), {"mentor": "x", "mentee": "99999"}
    )

    assert response.status_code == 302
    assert not Match.objects.exists()
    assert coordinator_client.get(reverse("admin:matching_cycle_matching", args=[99999])).status_code == 404
    too_big = int("9" * 25)
    assert coordinator_client.get(reverse("admin:matching_cycle_proposal", args=[too_big])).status_code == 404
    assert coordinator_client.get(reverse("admin:matching_match_end_early", args=[too_big])).status_code == 404
    response = coordinator_client.post(
        reverse("admin:matching_cycle_proposal", args=[cycle.pk]), {"mentor_1": str(too_big), "include_1": "on"}
    )
    assert response.status_code == 200
    assert not Match.objects.exists()


def test_the_proposal_saves_nothing_until_confirmed(coordinator_client, cycle, btw_pair, start_proposal):
    mentor_application, mentee_application = btw_pair
    url = reverse("admin:matching_cycle_proposal", args=[cycle.pk])
    # The background job (in-process in tests) computes and stores the proposal.
    start_proposal(cycle)

    response = coordinator_client.get(url)

    assert response.status_code == 200
    assert not Match.objects.exists()
    assert f'value="{mentor_application.pk}" selected' in response.content.decode()

    coordinator_client.post(
        url,
        {
            "action": "confirm",
            f"mentor_{mentee_application.pk}": mentor_application.pk,
            f"include_{mentee_application.pk}": "on",
        },
    )

    assert Match.objects.filter(mentee=mentee_application.member, status=Match.Status.CONFIRMED).exists()


def test_the_proposal_only_offers_mentors_the_hard_rules_allow_today(coordinator_client, cycle, start_proposal):
    # R3 and R2 count when the proposal is made, not when she applied; and never her own colleague.
    mentee_application = ApplicationFactory(cycle=cycle)
    colleague = MentorApplicationFactory(cycle=cycle)
    colleague.member.profile.organisation = mentee_application.member.profile.organisation
    colleague.member.profile.save()
    unverified = MentorApplicationFactory(cycle=cycle)
    unverified.member.profile.verification_status = VerificationStatus.REJECTED
    unverified.member.profile.save()
    junior = MentorApplicationFactory(cycle=cycle)
    junior.member.profile.career_start_year = timezone.localdate().year - 5
    junior.member.profile.save()
    full = MentorApplicationFactory(cycle=cycle, capacity=1)
    ActiveMatchFactory(cycle=cycle, mentor=full.member, mentor_application=full)
    allowed = MentorApplicationFactory(cycle=cycle)
    start_proposal(cycle)

    page = coordinator_client.get(reverse("admin:matching_cycle_proposal", args=[cycle.pk])).content.decode()

    assert f'value="{allowed.pk}" selected' in page
    for forbidden in (colleague, unverified, junior, full):
        assert f'value="{forbidden.pk}"' not in page
    assert not Match.objects.filter(mentee=mentee_application.member).exists()


def test_an_edited_proposal_over_capacity_is_refused_whole(coordinator_client, cycle, start_proposal):
    mentor_application = MentorApplicationFactory(cycle=cycle, capacity=1)
    other_mentor = MentorApplicationFactory(cycle=cycle, capacity=1)
    first, second = ApplicationFactory.create_batch(2, cycle=cycle)
    start_proposal(cycle)

    response = coordinator_client.post(
        reverse("admin:matching_cycle_proposal", args=[cycle.pk]),
        {
            "action": "confirm",
            f"mentor_{first.pk}": mentor_application.pk,
            f"include_{first.pk}": "on",
            f"mentor_{second.pk}": mentor_application.pk,
            f"include_{second.pk}": "on",
        },
    )

    assert response.status_code == 200
    assert "geen vrije plek" in response.content.decode()
    assert not Match.objects.exists()
    assert other_mentor.pk  # still free for the coordinator's next try


def test_staff_without_matching_rights_cannot_match(client, cycle, btw_pair):
    mentor_application, mentee_application = btw_pair
    client.force_login(UserFactory(is_staff=True))

    response = client.post(
        reverse("admin:matching_cycle_match", args=[cycle.pk]),
        {"mentor": mentor_application.pk, "mentee": mentee_application.pk},
    )

    # Staff outside the coordinators' group is no coordinator (core.roles): the admin is closed to her.
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not Match.objects.exists()


def test_members_cannot_reach_the_matching_screen(client, cycle):
    client.force_login(MemberFactory())

    response = client.get(reverse("admin:matching_cycle_matching", args=[cycle.pk]))

    assert response.status_code == 302
    assert Application.objects.count() == 0


def test_a_coordinator_ends_a_pair_early_with_a_reason(coordinator_client):
    match = ActiveMatchFactory()
    url = reverse("admin:matching_match_end_early", args=[match.pk])
    assert url in coordinator_client.get(reverse("admin:matching_match_change", args=[match.pk])).content.decode()

    response = coordinator_client.post(url, {"reason": ""})
    assert response.status_code == 200
    # Issue 27 §2: a category too; the form re-renders with what she typed.
    response = coordinator_client.post(url, {"reason": "Mentee heeft het programma verlaten"})
    assert response.status_code == 200
    assert "Mentee heeft het programma verlaten" in response.content.decode()
    assert response.context["form"].errors["category"]
    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE
    # "not recorded" is the system's, never a coordinator's choice.
    response = coordinator_client.post(url, {"reason": "Weg", "category": "unknown"})
    assert response.context["form"].errors["category"]

    coordinator_client.post(url, {"reason": "Mentee heeft het programma verlaten", "category": "circumstances"})

    match.refresh_from_db()
    assert match.status == Match.Status.ENDED_EARLY
    assert match.end_reason == "Mentee heeft het programma verlaten"
    assert match.end_category == Match.EndCategory.CIRCUMSTANCES == "circumstances"


def test_a_finished_pair_cannot_be_ended_early_and_the_coordinator_is_told_why(coordinator_client):
    match = ActiveMatchFactory(status=Match.Status.COMPLETED)

    response = coordinator_client.post(
        reverse("admin:matching_match_end_early", args=[match.pk]), {"reason": "Dubbel", "category": "other"}
    )

    assert response.status_code == 200
    assert "kan niet" in response.content.decode()


def test_matches_are_never_added_by_hand_in_the_admin(coordinator_client):
    assert coordinator_client.get(reverse("admin:matching_match_add")).status_code == 403


def test_the_admin_shows_the_renewal_outcome_without_who_answered_what(coordinator_client):  # R11
    start = timezone.localdate() - relativedelta(months=11, days=10)
    match = ActiveMatchFactory(start_date=start, planned_end=start + relativedelta(months=12))
    RenewalAnswer.objects.create(match=match, member=match.mentee, wants_to_continue=False)

    page = coordinator_client.get(reverse("admin:matching_match_changelist")).content.decode()

    assert "gaan niet door" in page
    assert coordinator_client.get("/admin/matching/renewalanswer/").status_code == 404
    assert coordinator_client.get("/admin/matching/agreement/").status_code == 404


def test_coordinators_read_applications_but_change_them_only_through_the_member(coordinator_client, mentee_application):
    url = reverse("admin:matching_application_change", args=[mentee_application.pk])

    response = coordinator_client.get(url)
    coordinator_client.post(url, {"status": Application.Status.WITHDRAWN})

    assert response.status_code == 200
    assert mentee_application.mentoring_question in response.content.decode()
    mentee_application.refresh_from_db()
    assert mentee_application.status == Application.Status.SUBMITTED


def test_a_cycle_with_impossible_dates_is_refused_at_the_fields_in_dutch(coordinator_client):
    data = {
        "name": "2031",
        "applications_open": "2031-03-01",
        "applications_close": "2031-01-15",
        "planned_start": "2030-12-01",
        "duration_months": "50",
        "status": Cycle.Status.DRAFT,
        "created_at_0": "2030-11-01",
        "created_at_1": "10:00",
    }

    response = coordinator_client.post(reverse("admin:matching_cycle_add"), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "De aanmelding kan niet sluiten voordat ze opent." in page
    assert "De mentorschappen beginnen nadat de aanmelding is gesloten." in page
    assert "Kies een duur van 1 tot 36 maanden" in page
    assert "Beperking" not in page  # not the database's "constraint violated"
    assert 'value="2031"' in page  # what she typed is kept
