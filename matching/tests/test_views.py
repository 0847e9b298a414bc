"""Member pages: applying, editing, withdrawing, the pair page and renewal, with their access matrix."""

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory, UserFactory
from matching import services
from matching.models import Application, Cycle, Match, RenewalAnswer, Role
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    match = ActiveMatchFactory()
    profile = match.mentor.profile
    profile.phone = "06-12345678"
    profile.linkedin_url = "https://www.linkedin.com/in/mentor-voorbeeld"
    profile.save()
    return match


# --- Access matrix --------------------------------------------------------------------

PAIR_PAGES = ["matching:pair_detail", "matching:renewal", "matching:agreement_edit"]


@pytest.mark.parametrize("name", PAIR_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, pair, name):
    response = client.get(reverse(name, kwargs={"pk": pair.pk}))

    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


@pytest.mark.parametrize("name", PAIR_PAGES)
def test_other_members_and_coordinators_get_404(client, pair, name):
    for outsider in (MemberFactory(), CoordinatorFactory()):
        client.force_login(outsider)
        assert client.get(reverse(name, kwargs={"pk": pair.pk})).status_code == 404


@pytest.mark.parametrize("name", PAIR_PAGES)
def test_the_pair_sees_its_pages(client, pair, name):
    for member in (pair.mentor, pair.mentee):
        client.force_login(member)
        assert client.get(reverse(name, kwargs={"pk": pair.pk})).status_code == 200


def test_bad_ids_are_404_not_500(client):
    client.force_login(MemberFactory())

    assert client.get("/programma/mentorschap/999999/").status_code == 404
    assert client.get("/programma/aanmelding/999999/wijzigen/").status_code == 404
    assert client.get("/programma/aanmelden/999999/mentee/").status_code == 404
    # Beyond the database's integer range (PostgreSQL would raise): still a plain 404.
    too_big = "9" * 25
    assert client.get(f"/programma/mentorschap/{too_big}/").status_code == 404
    assert client.get(f"/programma/aanmelding/{too_big}/intrekken/").status_code == 404
    assert client.get(f"/programma/aanmelden/{too_big}/mentor/").status_code == 404


def test_only_she_sees_her_application(client, mentee_application):
    url = reverse("matching:application_edit", kwargs={"pk": mentee_application.pk})
    client.force_login(MemberFactory())
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("matching:application_withdraw", kwargs={"pk": mentee_application.pk})).status_code == 404
    )

    client.force_login(mentee_application.member)
    assert client.get(url).status_code == 200


# --- The pair page (R8, R16) ----------------------------------------------------------


def test_the_mentee_sees_her_mentors_contact_details_and_makes_the_first_contact(client, pair):
    client.force_login(pair.mentee)

    page = client.get(reverse("matching:pair_detail", kwargs={"pk": pair.pk})).content.decode()

    assert pair.mentor.email in page
    assert "06-12345678" in page
    assert "linkedin.com/in/mentor-voorbeeld" in page
    assert "kennismakingsafspraak" in page
    assert "Jij neemt het eerste contact op" in page


def test_the_first_contact_instruction_goes_once_the_pair_has_planned_a_meeting(client, pair):
    from meetings.tests.factories import MeetingFactory

    MeetingFactory(match=pair)
    client.force_login(pair.mentee)

    page = client.get(reverse("matching:pair_detail", kwargs={"pk": pair.pk})).content.decode()

    # R8 is done: the pair found each other; the contact details stay.
    assert "Jij neemt het eerste contact op" not in page
    assert pair.mentor.email in page


def test_the_mentor_sees_her_mentee_and_the_mentoring_question(client, cycle, coordinator):
    mentor_application = MentorApplicationFactory(cycle=cycle)
    mentee_application = ApplicationFactory(cycle=cycle, mentoring_question="Hoe word ik een sterke leidinggevende?")
    match = services.match_confirm(
        before_window_closes=True,
        mentor_application=mentor_application,
        mentee_application=mentee_application,
        by=coordinator,
    )
    client.force_login(match.mentor)

    page = client.get(reverse("matching:pair_detail", kwargs={"pk": match.pk})).content.decode()

    assert match.mentee.full_name in page
    assert "Hoe word ik een sterke leidinggevende?" in page
    assert "Missie" in page and "Vertrouwen" in page


def test_contact_details_never_appear_before_the_match_is_active(client, cycle, coordinator):  # R8
    mentor_application = MentorApplicationFactory(cycle=cycle)
    mentee_application = ApplicationFactory(cycle=cycle)
    match = services.match_propose(
        mentor_application=mentor_application, mentee_application=mentee_application, by=coordinator
    )
    client.force_login(match.mentee)

    assert client.get(reverse("matching:pair_detail", kwargs={"pk": match.pk})).status_code == 404
    for url in (reverse("matching:overview"), reverse("dashboard")):
        page = client.get(url).content.decode()
        assert match.mentor.email not in page
        assert match.mentor.full_name not in page


def test_the_pair_page_tells_the_agreement_apart_from_the_meetings_in_dutch(client, pair):
    # In Dutch "afspraken" are the meetings (R10, the meetings panel); the MENTOR agreement (R16) is the
    # "overeenkomst", so "edit" next to the meetings panel is never read as changing a meeting.
    client.force_login(pair.mentee)

    page = client.get(reverse("matching:pair_detail", kwargs={"pk": pair.pk})).content.decode()

    assert "Jullie mentorschapsovereenkomst" in page
    assert "Overeenkomst wijzigen" in page
    assert "Afspraken wijzigen" not in page


def test_the_agreement_is_edited_by_the_pair_and_shows_when_agreed(client, pair):
    client.force_login(pair.mentor)
    url = reverse("matching:agreement_edit", kwargs={"pk": pair.pk})

    response = client.post(
        url,
        {
            "mission": "Doorgroeien naar een leidinggevende rol",
            "meeting_mode": "virtual",
            "meeting_frequency": "Elke twee weken",
            "networking": "Introductie bij de vakgroep btw",
            "opportunities": "",
            "evaluation_date": "niet-een-datum",
        },
    )
    assert response.status_code == 200  # bad date: re-rendered with what was typed
    assert "Doorgroeien naar een leidinggevende rol" in response.content.decode()

    response = client.post(
        url,
        {
            "mission": "Doorgroeien naar een leidinggevende rol",
            "meeting_mode": "virtual",
            "meeting_frequency": "Elke twee weken",
            "networking": "Introductie bij de vakgroep btw",
            "opportunities": "",
            "evaluation_date": str(pair.planned_end - relativedelta(months=1)),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Doorgroeien naar een leidinggevende rol" in page
    assert "laatst afgesproken op" in page


def test_each_partner_confirms_confidentiality(client, pair):
    client.force_login(pair.mentee)

    client.post(reverse("matching:confirm_trust", kwargs={"pk": pair.pk}))

    pair.agreement.refresh_from_db()
    assert pair.agreement.trust_confirmed_by_mentee_at is not None
    assert pair.agreement.trust_confirmed_by_mentor_at is None


# --- Renewal (R5) ---------------------------------------------------------------------


def test_the_renewal_question_is_answered_yes_or_no_in_the_last_month(client):
    start = timezone.localdate() - relativedelta(months=11, days=15)
    match = ActiveMatchFactory(start_date=start, planned_end=start + relativedelta(months=12))
    client.force_login(match.mentee)
    url = reverse("matching:renewal", kwargs={"pk": match.pk})

    assert "Wil je doorgaan" in client.get(reverse("matching:pair_detail", kwargs={"pk": match.pk})).content.decode()
    assert client.post(url, {"wants_to_continue": "misschien"}).status_code == 200
    response = client.post(url, {"wants_to_continue": "yes"})

    assert response.status_code == 302
    assert RenewalAnswer.objects.get(match=match, member=match.mentee).wants_to_continue is True


def test_the_renewal_question_is_refused_at_the_field_before_the_last_month(client, pair):
    client.force_login(pair.mentee)

    response = client.post(reverse("matching:renewal", kwargs={"pk": pair.pk}), {"wants_to_continue": "yes"})

    assert response.status_code == 200
    assert "laatste maand" in response.content.decode()
    assert not RenewalAnswer.objects.exists()


# --- Applying -------------------------------------------------------------------------


def test_a_member_applies_as_mentee_and_sees_where_she_stands(client, cycle):
    member = MemberFactory()
    client.force_login(member)
    url = reverse("matching:apply", kwargs={"cycle_pk": cycle.pk, "role": "mentee"})
    assert "langetermijnontwikkeling" in client.get(url).content.decode()  # guidance on a good question (R1)

    response = client.post(url, {"mentoring_question": "", "meeting_preference": "both"})
    assert response.status_code == 200
    assert "mentorvraag" in response.content.decode()

    response = client.post(
        url, {"mentoring_question": "Hoe vind ik mijn specialisatie?", "meeting_preference": "virtual"}, follow=True
    )

    application = Application.objects.get(member=member)
    assert application.role == Role.MENTEE
    assert "Aangemeld" in response.content.decode()


def test_a_junior_member_is_told_why_she_cannot_apply_as_mentor(client, cycle):  # R3
    user = UserFactory()
    ProfileFactory(user=user, verified=True, career_start_year=timezone.localdate().year - 2)
    client.force_login(user)

    overview = client.get(reverse("matching:overview")).content.decode()
    response = client.post(
        reverse("matching:apply", kwargs={"cycle_pk": cycle.pk, "role": "mentor"}),
        {"capacity": "1", "meeting_preference": "both"},
    )

    assert "meer dan 5 jaar werkervaring" in overview
    assert response.status_code == 200
    assert "meer dan 5 jaar werkervaring" in response.content.decode()
    assert not Application.objects.exists()


def test_the_r3_refusal_shows_once_and_without_a_form_she_cannot_send(client, cycle):  # R3
    user = UserFactory()
    ProfileFactory(user=user, verified=True, career_start_year=timezone.localdate().year - 5)
    client.force_login(user)

    page = client.get(reverse("matching:apply", kwargs={"cycle_pk": cycle.pk, "role": "mentor"})).content.decode()

    assert page.count("meer dan 5 jaar werkervaring") == 1
    assert 'name="capacity"' not in page and "Aanmelding versturen" not in page


def test_a_mentor_only_member_is_not_offered_to_apply_as_mentee(client, cycle):
    mentor = UserFactory()
    ProfileFactory(user=mentor, verified=True, wants_mentee=False, wants_mentor=True)
    client.force_login(mentor)
    apply_as_mentee = reverse("matching:apply", kwargs={"cycle_pk": cycle.pk, "role": "mentee"})

    overview = client.get(reverse("matching:overview")).content.decode()
    page = client.get(apply_as_mentee).content.decode()
    sent = client.post(apply_as_mentee, {"mentoring_question": "Mag ik toch?", "meeting_preference": "both"})

    assert "Aanmelden als mentor" in overview and apply_as_mentee not in overview
    assert "als mentor deel te nemen" in overview and reverse("accounts:profile_edit") in overview
    assert "als mentor deel te nemen" in page and 'name="mentoring_question"' not in page
    assert sent.status_code == 200 and not Application.objects.exists()


def test_a_mentee_only_member_with_experience_is_told_where_to_add_the_mentor_role(client, cycle):
    mentee = UserFactory()
    ProfileFactory(user=mentee, verified=True, wants_mentee=True, wants_mentor=False)
    client.force_login(mentee)

    overview = client.get(reverse("matching:overview")).content.decode()

    assert "Aanmelden als mentee" in overview
    assert reverse("matching:apply", kwargs={"cycle_pk": cycle.pk, "role": "mentor"}) not in overview
    assert "als mentee deel te nemen" in overview


def test_an_unknown_role_or_a_closed_cycle_is_404(client):
    client.force_login(MemberFactory())
    closed = CycleFactory(status=Cycle.Status.RUNNING)
    open_cycle = CycleFactory()

    assert client.get(reverse("matching:apply", kwargs={"cycle_pk": closed.pk, "role": "mentee"})).status_code == 404
    assert client.get(reverse("matching:apply", kwargs={"cycle_pk": open_cycle.pk, "role": "coach"})).status_code == 404


def test_she_withdraws_a_matched_application_with_a_reason(client, coordinator, mentor_application, mentee_application):
    match = services.match_confirm(
        before_window_closes=True,
        mentor_application=mentor_application,
        mentee_application=mentee_application,
        by=coordinator,
    )
    client.force_login(mentee_application.member)
    url = reverse("matching:application_withdraw", kwargs={"pk": mentee_application.pk})

    page = client.get(url).content.decode()
    assert 'name="category" value="goal_reached"' in page and "Doel al eerder bereikt" in page
    assert 'value="unknown"' not in page
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    # Issue 27 §2: without a category the form comes back with her reason still in it.
    response = client.post(url, {"reason": "Ik verhuis naar het buitenland"})
    assert response.status_code == 200
    assert "Ik verhuis naar het buitenland" in response.content.decode()
    assert response.context["form"].errors["category"]
    client.post(url, {"reason": "Ik verhuis naar het buitenland", "category": "circumstances"})

    match.refresh_from_db()
    assert match.status == Match.Status.ENDED_EARLY
    assert match.end_category == "circumstances"


def test_withdrawing_before_a_match_asks_no_category(client, mentee_application):
    client.force_login(mentee_application.member)
    url = reverse("matching:application_withdraw", kwargs={"pk": mentee_application.pk})
    assert 'name="category"' not in client.get(url).content.decode()

    client.post(url, {"reason": ""})

    mentee_application.refresh_from_db()
    assert mentee_application.status == Application.Status.WITHDRAWN


# --- Dashboard and navigation ---------------------------------------------------------


def test_a_member_without_a_match_sees_the_waiting_list_not_a_blank_page(client, mentee_application):
    mentee_application.cycle.status = Cycle.Status.RUNNING
    mentee_application.cycle.save()
    client.force_login(mentee_application.member)

    page = client.get(reverse("dashboard")).content.decode()

    assert "wachtlijst" in page


def test_the_dashboard_links_to_her_pair_page(client, pair):
    client.force_login(pair.mentee)

    page = client.get(reverse("dashboard")).content.decode()

    assert reverse("matching:pair_detail", kwargs={"pk": pair.pk}) in page
    assert "Mijn mentorschap" in page


def test_the_nav_invites_to_apply_while_a_cycle_is_open(client, cycle):
    client.force_login(MemberFactory())

    page = client.get(reverse("dashboard")).content.decode()

    assert ">Aanmelden</a>" in page
