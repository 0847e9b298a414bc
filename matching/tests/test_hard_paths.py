"""Paths that had no test (issue 11 §4): the admin's renewal and completion actions, editing an
application, the term history of a renewed pair, a mentor with a place left, the renewal wording
per MATCHING_RENEWAL_STARTED_BY, pages that only read, and the access trio for the member pages."""

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory, reauthenticate
from matching import renewal, selectors, services
from matching.models import Agreement, Application, Match, RenewalAnswer
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, MentorApplicationFactory

pytestmark = pytest.mark.django_db


def _ending(**kwargs) -> Match:
    """An active pair in the last month of its year (R4, R5)."""
    start = timezone.localdate() - relativedelta(months=11, days=15)
    return ActiveMatchFactory(start_date=start, planned_end=start + relativedelta(months=12), **kwargs)


def _both_say(match, wants_to_continue=True):
    for member in (match.mentor, match.mentee):
        RenewalAnswer.objects.create(match=match, member=member, wants_to_continue=wants_to_continue)


def _run_action(client, action, *matches):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    reauthenticate(client, coordinator)  # starting a new term asks for her password again
    response = client.post(
        reverse("admin:matching_match_changelist"),
        {"action": action, "_selected_action": [str(match.pk) for match in matches]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The admin actions: with MATCHING_RENEWAL_STARTED_BY=coordinator this is how terms start ---


def test_the_coordinator_starts_the_new_term_of_a_pair_that_both_want_to_continue(client, settings):
    settings.MATCHING_RENEWAL_STARTED_BY = "coordinator"
    agreed, declined = _ending(), _ending()
    _both_say(agreed)
    _both_say(declined, wants_to_continue=False)

    messages = _run_action(client, "renew_matches", agreed, declined)

    agreed.refresh_from_db()
    declined.refresh_from_db()
    new_term = Match.objects.get(previous_term=agreed)
    assert (agreed.status, new_term.status, new_term.term) == (Match.Status.COMPLETED, Match.Status.CONFIRMED, 2)
    assert new_term.start_date == agreed.planned_end and new_term.agreement.mission == agreed.agreement.mission
    assert declined.status == Match.Status.ACTIVE and not Match.objects.filter(previous_term=declined).exists()
    assert any("1 mentorschap bijgewerkt" in message for message in messages)  # natural Dutch plural
    assert any(str(declined) in message and "allebei" in message for message in messages)


def test_the_coordinator_completes_pairs_from_the_last_month_on_and_is_told_which_are_too_early(client):
    ending, young = _ending(), ActiveMatchFactory()

    messages = _run_action(client, "complete_matches", ending, young)

    ending.refresh_from_db()
    young.refresh_from_db()
    assert ending.status == Match.Status.COMPLETED and ending.ended_on == timezone.localdate()
    assert young.status == Match.Status.ACTIVE
    assert any(str(young) in message and "eerder" in message for message in messages)


# --- Editing an application (POST) ---------------------------------------------------


def test_she_edits_her_application_and_a_bad_edit_keeps_what_she_typed(client, mentee_application):
    client.force_login(mentee_application.member)
    url = reverse("matching:application_edit", kwargs={"pk": mentee_application.pk})

    response = client.post(
        url, {"mentoring_question": "Hoe bouw ik een eigen praktijk op?", "meeting_preference": "virtual"}
    )

    assert response.status_code == 302
    mentee_application.refresh_from_db()
    assert mentee_application.mentoring_question == "Hoe bouw ik een eigen praktijk op?"
    assert mentee_application.meeting_preference == "virtual"

    response = client.post(url, {"mentoring_question": "   ", "meeting_preference": "in_person"})

    assert response.status_code == 200
    assert "mentorvraag" in response.content.decode()
    mentee_application.refresh_from_db()
    assert mentee_application.mentoring_question == "Hoe bouw ik een eigen praktijk op?"  # R7: nothing lost


def test_a_matched_application_can_no_longer_be_edited_and_she_is_told_why(
    client, mentor_application, mentee_application
):
    services.match_confirm(
        before_window_closes=True,
        mentor_application=mentor_application,
        mentee_application=mentee_application,
        by=CoordinatorFactory(),
    )
    client.force_login(mentee_application.member)

    response = client.post(
        reverse("matching:application_edit", kwargs={"pk": mentee_application.pk}),
        {"mentoring_question": "Een heel andere vraag", "meeting_preference": "virtual"},
    )

    assert response.status_code == 200
    assert "al gekoppeld" in response.content.decode()
    assert "Een heel andere vraag" in response.content.decode()
    mentee_application.refresh_from_db()
    assert mentee_application.mentoring_question != "Een heel andere vraag"


# --- A renewed pair's term history (R5) and the wording of who starts the new term ---


def test_a_renewed_pair_sees_both_terms_and_can_open_the_earlier_one(client):
    first = _ending()
    _both_say(first)
    second = renewal.match_renew(match=first, by=CoordinatorFactory())
    client.force_login(first.mentee)

    page = client.get(reverse("matching:pair_detail", kwargs={"pk": second.pk})).content.decode()

    assert "Termijnen" in page
    assert reverse("matching:pair_detail", kwargs={"pk": first.pk}) in page
    assert client.get(reverse("matching:pair_detail", kwargs={"pk": first.pk})).status_code == 200
    assert [term.pk for term in selectors.terms_of(match=second)] == [first.pk, second.pk]


def test_the_pair_page_says_who_starts_the_new_term(client, settings):
    match = _ending()
    client.force_login(match.mentee)
    url = reverse("matching:pair_detail", kwargs={"pk": match.pk})

    settings.MATCHING_RENEWAL_STARTED_BY = "coordinator"
    assert "dan starten de coördinatoren jullie nieuwe termijn" in client.get(url).content.decode()
    settings.MATCHING_RENEWAL_STARTED_BY = "system"
    assert "dan start jullie nieuwe termijn meteen" in client.get(url).content.decode()


def test_with_system_renewal_the_second_yes_leads_to_the_new_term(client, settings):
    settings.MATCHING_RENEWAL_STARTED_BY = "system"
    match = _ending()
    RenewalAnswer.objects.create(match=match, member=match.mentor, wants_to_continue=True)
    client.force_login(match.mentee)

    response = client.post(reverse("matching:renewal", kwargs={"pk": match.pk}), {"wants_to_continue": "yes"})

    new_term = Match.objects.get(previous_term=match)
    assert response["Location"] == reverse("matching:pair_detail", kwargs={"pk": new_term.pk})
    page = client.get(response["Location"]).content.decode()
    assert "jullie nieuwe termijn is begonnen" in page


# --- A mentor with a place left ---------------------------------------------------------


def test_a_mentor_with_a_place_left_sees_she_is_partly_matched(client, cycle):
    mentor_application = MentorApplicationFactory(cycle=cycle, capacity=2)
    services.match_confirm(
        before_window_closes=True,
        mentor_application=mentor_application,
        mentee_application=ApplicationFactory(cycle=cycle),
        by=CoordinatorFactory(),
    )
    client.force_login(mentor_application.member)

    page = client.get(reverse("matching:overview")).content.decode()

    assert selectors.application_state(application=mentor_application) == "partly_matched"
    assert "Gekoppeld, met nog een plek vrij" in page


# --- Pages only read: the agreement is made when the pair is activated --------------------


def test_activation_makes_the_agreement_and_the_pages_only_read_it(client, mentor_application, mentee_application):
    match = services.match_confirm(
        before_window_closes=True,
        mentor_application=mentor_application,
        mentee_application=mentee_application,
        by=CoordinatorFactory(),
    )
    assert match.agreement.mission == mentee_application.mentoring_question  # R7 → R16
    Agreement.objects.filter(match=match).delete()
    client.force_login(match.mentee)

    assert client.get(reverse("matching:pair_detail", kwargs={"pk": match.pk})).status_code == 200
    assert client.get(reverse("matching:agreement_edit", kwargs={"pk": match.pk})).status_code == 404
    assert not Agreement.objects.exists()


# --- Anonymous, someone else, a coordinator: the member pages ------------------------------


def _member_urls(application, match):
    return [
        ("get", reverse("matching:overview")),
        ("get", reverse("matching:apply", kwargs={"cycle_pk": application.cycle_id, "role": "mentee"})),
        ("get", reverse("matching:application_edit", kwargs={"pk": application.pk})),
        ("post", reverse("matching:application_withdraw", kwargs={"pk": application.pk})),
        ("post", reverse("matching:confirm_trust", kwargs={"pk": match.pk})),
    ]


def test_anonymous_visitors_are_sent_to_log_in_from_every_member_page(client, mentee_application):
    for method, url in _member_urls(mentee_application, ActiveMatchFactory()):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    mentee_application.refresh_from_db()
    assert mentee_application.status == Application.Status.SUBMITTED


def test_someone_else_gets_404_for_her_application_and_her_pair(client, mentee_application):
    match = ActiveMatchFactory()
    for outsider in (MemberFactory(), CoordinatorFactory()):
        client.force_login(outsider)
        for method, url in _member_urls(mentee_application, match)[2:]:
            assert getattr(client, method)(url, {"reason": "weg"}).status_code == 404, url
        overview = client.get(reverse("matching:overview")).content.decode()
        assert mentee_application.mentoring_question not in overview
        assert str(match.mentee) not in overview
    mentee_application.refresh_from_db()
    match.agreement.refresh_from_db()
    assert mentee_application.status == Application.Status.SUBMITTED
    assert match.agreement.trust_confirmed_by_mentor_at is None and match.agreement.trust_confirmed_by_mentee_at is None


def test_a_member_awaiting_verification_cannot_apply_by_posting(client, cycle):
    member = ProfileFactory().user  # R2: not verified yet
    client.force_login(member)
    url = reverse("matching:apply", kwargs={"cycle_pk": cycle.pk, "role": "mentee"})

    response = client.post(url, {"mentoring_question": "Hoe word ik partner?", "meeting_preference": "virtual"})

    assert response.status_code == 200
    assert "verificatie" in response.content.decode()
    assert not Application.objects.filter(member=member).exists()
