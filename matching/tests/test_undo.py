"""Issue 28 §4: Koppelen asks for a confirmation, and a confirmed pair can be undone within the hour."""

import datetime

import pytest
import time_machine
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from goals import services as goal_services
from matching import agreements, selectors, services
from matching.models import Agreement, Application, EndCategory, Match
from matching.tests.factories import (
    ApplicationFactory,
    CycleFactory,
    MatchingCycleFactory,
    MentorApplicationFactory,
    confirm_pair,
)
from meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

MFA_SETUP = reverse("mfa_index")
ADMIN_LOGIN = reverse("admin:login")
MENTORVRAAG = "Hoe word ik partner zonder mijn gezin tekort te doen? (vertrouwelijk)"


@pytest.fixture
def cycle(db):
    return MatchingCycleFactory()


@pytest.fixture
def applications(cycle):
    mentor = MentorApplicationFactory(cycle=cycle, capacity=1, member=MemberFactory(full_name="Marieke de Vries"))
    mentee = ApplicationFactory(
        cycle=cycle, member=MemberFactory(full_name="Lotte Bakker"), mentoring_question=MENTORVRAAG
    )
    return mentor, mentee


@pytest.fixture
def pair(applications, coordinator):
    mentor, mentee = applications
    return confirm_pair(mentor, mentee, by=coordinator)


def confirm_url(cycle, mentor, mentee):
    return reverse("admin:matching_cycle_match", args=[cycle.pk]) + f"?mentor={mentor.pk}&mentee={mentee.pk}"


# --- Koppelen asks first ------------------------------------------------------------------


def test_koppelen_shows_a_confirmation_naming_both_and_a_get_makes_no_pair(client, coordinator, cycle, applications):
    mentor, mentee = applications
    client.force_login(coordinator)

    response = client.get(confirm_url(cycle, mentor, mentee))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Koppelen: Lotte Bakker aan Marieke de Vries?" in page
    assert ">Bevestigen</button>" in page and ">Annuleren</a>" in page
    assert 'method="post"' in page
    assert not Match.objects.exists()


def test_the_koppelscherm_button_asks_for_the_confirmation_page_and_makes_nothing(client, coordinator, cycle):
    MentorApplicationFactory(cycle=cycle)
    ApplicationFactory(cycle=cycle)
    client.force_login(coordinator)

    page = client.get(reverse("admin:matching_cycle_matching", args=[cycle.pk])).content.decode()

    koppel = reverse("admin:matching_cycle_match", args=[cycle.pk])
    assert f'<form method="get" action="{koppel}">' in page
    assert f'<form method="post" action="{koppel}">' not in page


def test_bevestigen_makes_the_pair_and_offers_the_undo(client, coordinator, cycle, applications):
    mentor, mentee = applications
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:matching_cycle_match", args=[cycle.pk]), {"mentor": mentor.pk, "mentee": mentee.pk}, follow=True
    )

    match = Match.objects.get()
    page = response.content.decode()
    assert "Lotte Bakker is gekoppeld aan Marieke de Vries" in page
    assert reverse("admin:matching_match_undo", args=[match.pk]) in page


def test_a_confirmation_for_applications_of_another_cycle_is_refused(client, coordinator, cycle, applications):
    mentor, _mentee = applications
    stranger = ApplicationFactory(cycle=CycleFactory())
    client.force_login(coordinator)

    response = client.get(confirm_url(cycle, mentor, stranger), follow=True)

    assert "Kies een mentor en een mentee uit deze cyclus" in response.content.decode()
    assert not Match.objects.exists()


def test_the_proposal_confirms_all_pairs_only_after_its_own_confirmation(client, coordinator, cycle, applications):
    mentor, mentee = applications
    client.force_login(coordinator)
    url = reverse("admin:matching_cycle_proposal", args=[cycle.pk])
    from matching import proposals

    proposal = proposals.matching_proposal_start(cycle=cycle, by=coordinator)
    proposals.matching_proposal_compute(proposal_id=proposal.pk)

    page = client.get(url).content.decode()
    assert 'name="action" value="review"' in page  # the page's "Bevestig alle ..." asks first

    response = client.post(url, {"action": "review", f"mentor_{mentee.pk}": mentor.pk, f"include_{mentee.pk}": "on"})
    page = response.content.decode()
    assert "Bevestig 1 mentorschap van het voorstel?" in page
    assert 'name="action" value="confirm"' in page
    assert not Match.objects.exists()

    client.post(url, {"action": "confirm"})
    assert Match.objects.filter(mentee=mentee.member).exists()


# --- Who may ------------------------------------------------------------------------------


@pytest.fixture(params=["confirm", "undo"])
def page_url(request, cycle, applications, coordinator):
    mentor, mentee = applications
    if request.param == "confirm":
        return confirm_url(cycle, mentor, mentee)
    return reverse("admin:matching_match_undo", args=[confirm_pair(mentor, mentee, by=coordinator).pk])


def test_anonymous_visitors_and_members_are_sent_to_the_login(client, page_url):
    response = client.get(page_url)
    assert response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)
    client.force_login(MemberFactory())
    response = client.get(page_url)
    assert response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)
    assert client.post(page_url).status_code == 302
    assert Match.objects.count() <= 1  # nothing made, and an existing pair not undone
    assert not LogEntry.objects.exists()


def test_a_coordinator_without_a_second_factor_sets_one_up_first(client, page_url):
    client.force_login(CoordinatorFactory(second_factor=False))

    for response in (client.get(page_url), client.post(page_url)):
        assert response.status_code == 302
        assert response["Location"] == MFA_SETUP
    assert not LogEntry.objects.exists()


def test_a_coordinator_with_her_second_factor_opens_the_page(client, page_url):
    client.force_login(CoordinatorFactory())

    assert client.get(page_url).status_code == 200


# --- Undo -----------------------------------------------------------------------------------


def test_undo_within_the_hour_removes_the_pair_as_if_never_made(client, coordinator, cycle, applications, pair):
    mentor, mentee = applications
    assert Agreement.objects.filter(match=pair).exists()
    client.force_login(coordinator)
    change_page = client.get(reverse("admin:matching_match_change", args=[pair.pk])).content.decode()
    undo_url = reverse("admin:matching_match_undo", args=[pair.pk])
    assert undo_url in change_page  # offered on the pair's page

    page = client.get(undo_url).content.decode()
    assert "Koppeling ongedaan maken: Lotte Bakker en Marieke de Vries?" in page
    assert Match.objects.filter(pk=pair.pk).exists()  # a GET undoes nothing

    response = client.post(undo_url, follow=True)

    assert "De koppeling van Lotte Bakker en Marieke de Vries is ongedaan gemaakt" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:matching_cycle_matching", args=[cycle.pk])
    assert not Match.objects.exists() and not Agreement.objects.exists()
    assert selectors.free_places(application=mentor) == 1  # her place is free again
    assert Application.objects.get(pk=mentee.pk).status == Application.Status.SUBMITTED
    koppelscherm = client.get(reverse("admin:matching_cycle_matching", args=[cycle.pk])).content.decode()
    assert "Lotte Bakker" in koppelscherm and "Koppelen: Lotte Bakker aan Marieke de Vries" in koppelscherm


def test_the_undo_is_in_the_admin_history_without_private_content(coordinator, pair):
    agreements.agreement_ensure(match=pair)

    services.match_undo(match=pair, by=coordinator)

    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (coordinator, DELETION, str(pair.pk))
    assert "ongedaan" in entry.change_message
    assert MENTORVRAAG not in entry.change_message + entry.object_repr


def test_undo_after_the_hour_is_refused_with_a_clear_message(client, coordinator, pair):
    client.force_login(coordinator)
    url = reverse("admin:matching_match_undo", args=[pair.pk])

    with time_machine.travel(pair.confirmed_at + datetime.timedelta(minutes=61), tick=False):
        with pytest.raises(ValidationError, match="tot een uur na het bevestigen"):
            services.match_undo(match=pair, by=coordinator)
        response = client.post(url)
        change_page = client.get(reverse("admin:matching_match_change", args=[pair.pk])).content.decode()

    assert response.status_code == 200
    assert "tot een uur na het bevestigen" in response.content.decode()
    assert url not in change_page
    assert Match.objects.filter(pk=pair.pk).exists()
    assert not LogEntry.objects.exists()


def test_within_the_hour_is_still_allowed(coordinator, pair):
    with time_machine.travel(pair.confirmed_at + datetime.timedelta(minutes=59), tick=False):
        services.match_undo(match=pair, by=coordinator)
    assert not Match.objects.exists()


@pytest.mark.parametrize("begin", ["first contact", "meeting", "goal", "agreement", "trust"])
def test_a_pair_that_has_begun_cannot_be_undone(coordinator, pair, begin):
    if begin == "first contact":
        services.match_first_contact_record(match=pair, by=pair.mentee)
    elif begin == "meeting":  # the meetings app answers matching's question (a signal)
        MeetingFactory(match=pair)
    elif begin == "goal":  # and so does the goals app
        goal_services.goal_add(match=pair, by=pair.mentee, text="Binnen een jaar een team leiden.")
    elif begin == "agreement":
        agreements.agreement_update(match=pair, by=pair.mentor, networking="Ik stel je voor aan twee collega's.")
    else:
        agreements.agreement_confirm_trust(match=pair, by=pair.mentee)

    with pytest.raises(ValidationError, match="al begonnen"):
        services.match_undo(match=pair.__class__.objects.get(pk=pair.pk), by=coordinator)
    assert Match.objects.filter(pk=pair.pk).exists()


def test_an_ended_pair_cannot_be_undone(coordinator, pair):
    services.match_end_early(match=pair, by=coordinator, reason="Geen klik", category=EndCategory.FIT)

    with pytest.raises(ValidationError):
        services.match_undo(match=Match.objects.get(pk=pair.pk), by=coordinator)
