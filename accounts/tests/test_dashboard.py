"""What each kind of member reads on her overview and profile page, and the step it suggests next."""

import pytest
from django.urls import reverse

from accounts.models import VerificationStatus
from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory, UserFactory
from matching.models import Cycle
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory

pytestmark = pytest.mark.django_db


def _page(client, user, name="dashboard"):
    client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", ["dashboard", "accounts:profile"])
def test_a_member_awaiting_verification_is_not_invited_to_apply(client, name):
    # R2: only verified members take part, so an open cycle must not look like an invitation.
    CycleFactory()
    page = _page(client, ProfileFactory().user, name)

    assert "Wacht op verificatie" in page
    assert "krijg je een e-mail en kun je je aanmelden" in page
    assert "Meld je aan als mentee met je mentorvraag" not in page
    assert reverse("home") in page


@pytest.mark.parametrize("name", ["dashboard", "accounts:profile"])
def test_a_verified_member_without_an_application_is_invited_to_the_open_cycle(client, name):
    CycleFactory()

    page = _page(client, MemberFactory(), name)

    assert "Nu aanmelden" in page
    assert reverse("matching:overview") in page


def test_a_member_who_applied_is_not_told_to_wait_for_applications_to_open(client):
    application = ApplicationFactory()

    dashboard = _page(client, application.member)
    profile = _page(client, application.member, "accounts:profile")

    assert "zodra de aanmelding" not in dashboard
    assert "Nu aanmelden" not in dashboard
    assert "Je doet mee aan het programma." in profile


def test_a_member_in_a_pair_is_pointed_to_her_mentorship(client):
    match = ActiveMatchFactory()

    page = _page(client, match.mentee, "accounts:profile")

    assert "Je doet mee aan het programma." in page


def test_a_verified_member_with_nothing_open_knows_she_waits_for_the_next_cycle(client):
    CycleFactory(status=Cycle.Status.RUNNING)

    page = _page(client, MemberFactory())

    assert "zodra de aanmelding voor een nieuwe programmacyclus opengaat" in page


def test_a_rejected_member_is_led_to_correct_her_details(client):
    profile = ProfileFactory(verification_status=VerificationStatus.REJECTED, verification_note="Onbekend nummer")

    page = _page(client, profile.user)

    assert "Onbekend nummer" in page
    assert "Mijn gegevens corrigeren" in page
    assert reverse("accounts:profile_edit") in page


def test_the_dashboard_names_her_roles_in_a_sentence(client):
    profile = ProfileFactory(wants_mentee=True, wants_mentor=True)

    assert "Je wilt meedoen als mentee en als mentor." in _page(client, profile.user)


def test_a_coordinator_without_a_profile_sees_no_member_panels_or_member_navigation(client):
    CycleFactory()

    page = _page(client, CoordinatorFactory())

    assert "Verificatie van het lidmaatschap" in page
    assert "Mijn deelname" not in page
    assert "Mijn mentorschap" not in page
    assert reverse("accounts:profile") not in page
    assert reverse("matching:overview") not in page


def test_a_coordinator_who_is_also_a_member_keeps_her_member_panels(client):
    coordinator = CoordinatorFactory()
    ProfileFactory(user=coordinator, verified=True)

    page = _page(client, coordinator)

    assert "Mijn deelname" in page
    assert "Verificatie van het lidmaatschap" in page
    assert reverse("accounts:profile") in page


def test_a_member_without_a_profile_is_asked_to_complete_it_on_the_dashboard_panel(client):
    # The middleware leads her to the profile step; the panel says the same if she gets there.
    from accounts.selectors import NextStep, member_status

    assert member_status(user=UserFactory()).next_step == NextStep.COMPLETE_PROFILE
