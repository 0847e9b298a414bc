"""Issue 25 §6 and §7: an ended pair behaves as ended, and every notice says what is true."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory, UserFactory
from matching import fit_checks, koppelscherm, services
from matching.models import Cycle, FitCheck, Match
from matching.tests.factories import (
    ActiveMatchFactory,
    ApplicationFactory,
    CycleFactory,
    MentorApplicationFactory,
    confirm_pair,
)
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    page = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.find("<main") :]))


@pytest.fixture
def ended_pair():
    """A pair that met once (so both were asked "Past het?") and then ended early."""
    UserFactory()  # profile ids differ from user ids, as they do in production
    match = ActiveMatchFactory()
    fit_checks.fit_checks_ask_after_meeting(match=match)
    services.match_end_early(
        match=match, by=match.mentee, reason="Ik verhuis naar het buitenland", category="circumstances"
    )
    return match


# --- §6 An ended pair behaves as ended ----------------------------------------------------------


def test_an_ended_pair_asks_no_fit_question_and_offers_no_changes(client, ended_pair):
    for member in (ended_pair.mentor, ended_pair.mentee):
        client.force_login(member)
        text = _text(client.get(reverse("matching:pair_detail", kwargs={"pk": ended_pair.pk})))

        assert "Past het?" not in text
        assert "Beantwoord de vraag" not in text
        assert "allebei wijzigen" not in text
        assert "Overeenkomst wijzigen" not in text
        assert "Beëindigd op" in text
        # The fit question's own page sends her back; an answer by post is refused.
        response = client.get(reverse("matching:fit_check", kwargs={"pk": ended_pair.pk}))
        assert response.status_code == 302
    with pytest.raises(ValidationError) as refused:
        fit_checks.fit_check_answer(match=ended_pair, member=ended_pair.mentor, answer=FitCheck.Answer.NO)
    assert refused.value.code == "not_asked"


def test_an_ongoing_pair_still_asks_and_may_change_the_agreement(client):
    match = ActiveMatchFactory()
    fit_checks.fit_checks_ask_after_meeting(match=match)
    client.force_login(match.mentor)

    text = _text(client.get(reverse("matching:pair_detail", kwargs={"pk": match.pk})))

    assert "Past het?" in text
    assert "allebei wijzigen" in text
    assert "Beëindigd op" not in text


@pytest.mark.parametrize("ended", [False, True])
def test_her_profile_link_opens_the_other_half_of_the_pair(client, ended):
    UserFactory()
    match = ActiveMatchFactory()
    if ended:
        services.match_end_early(match=match, by=match.mentor, reason="Past niet", category="fit")
    for member, other in ((match.mentor, match.mentee), (match.mentee, match.mentor)):
        client.force_login(member)
        page = client.get(reverse("matching:pair_detail", kwargs={"pk": match.pk})).content.decode()
        (link,) = set(re.findall(r'href="(/programma/partner/\d+/)"', page))

        response = client.get(link)

        assert response.status_code == 200
        assert f"<h1>{other.full_name}</h1>" in response.content.decode()


def test_the_admin_says_ended_on_only_for_a_pair_that_ended(client, ended_pair):
    client.force_login(CoordinatorFactory())
    running = ActiveMatchFactory()
    completed = ActiveMatchFactory(status=Match.Status.COMPLETED, ended_on=timezone.localdate())

    def label_on(match):
        return _text(client.get(reverse("admin:matching_match_change", args=[match.pk])))

    assert "Beëindigd op" in label_on(ended_pair)
    assert "Beëindigd op" not in label_on(running)
    completed_page = label_on(completed)
    assert "Beëindigd op" not in completed_page
    assert "Afgerond op" in completed_page


# --- §7 True notices ----------------------------------------------------------------------------


@pytest.fixture
def closed_window_cycle():
    today = timezone.localdate()
    return CycleFactory(
        status=Cycle.Status.MATCHING,
        applications_open=today - datetime.timedelta(days=40),
        applications_close=today - datetime.timedelta(days=2),
        planned_start=today + datetime.timedelta(days=30),
    )


def test_closing_matching_tells_only_those_who_had_no_pair(closed_window_cycle, client):
    cycle = closed_window_cycle
    coordinator = CoordinatorFactory()
    mentor = MentorApplicationFactory(cycle=cycle, capacity=2)
    first, second = ApplicationFactory(cycle=cycle), ApplicationFactory(cycle=cycle)
    for mentee in (first, second):
        match = confirm_pair(mentor, mentee, by=coordinator)
        services.match_end_early(match=match, by=coordinator, reason="Past niet", category="fit")
    never = ApplicationFactory(cycle=cycle)

    left = services.cycle_matching_close(cycle=cycle, by=coordinator)

    assert {application.pk for application in left} == {never.pk}
    told = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.NOT_MATCHED)
    assert set(told.values_list("recipient_id", flat=True)) == {never.member_id}
    client.force_login(mentor.member)
    assert "Deze cyclus niet gekoppeld" not in client.get(reverse("matching:overview")).content.decode()


def test_a_mentor_stopping_a_matched_application_is_told_whose_mentorship_ends(client, cycle):
    coordinator = CoordinatorFactory()
    mentor = MentorApplicationFactory(cycle=cycle, capacity=2)
    mentee = ApplicationFactory(cycle=cycle)
    confirm_pair(mentor, mentee, by=coordinator)  # one place left: "partly matched"
    client.force_login(mentor.member)
    name = mentee.member.full_name

    overview = _text(client.get(reverse("matching:overview")))
    page = _text(client.get(reverse("matching:application_withdraw", kwargs={"pk": mentor.pk})))

    assert f"Stoppen met je mentorschap met {name}" in overview
    assert f"Stoppen met je mentorschap met {name}" in page


def test_a_member_in_both_roles_is_never_left_out_for_herself(cycle):
    both = MemberFactory()
    MentorApplicationFactory(cycle=cycle, member=both)
    ApplicationFactory(cycle=cycle, member=both, allow_same_organisation=False)
    colleague = MentorApplicationFactory(cycle=cycle)
    colleague.member.profile.organisation = both.profile.organisation
    colleague.member.profile.save()

    page = koppelscherm.matching_page(cycle=cycle)

    (row,) = [row for row in page.rows if row["application"].member_id == both.pk]
    left_out = [item["mentor"].member_id for item in row["not_offered"]]
    assert left_out == [colleague.member_id]
