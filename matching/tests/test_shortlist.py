"""The mentee's shortlist and her ranked choices (issue 25 §1)."""

import datetime
import json
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.eligibility import role_decision
from accounts.models import Region, VerificationStatus
from accounts.tests.factories import ExpertiseFactory, MemberFactory
from core import disclosure
from matching import selectors, services
from matching.models import Application, Cycle, FirmGroup, FitCheck, Match, MentorChoice, Role
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory, confirm_pair

pytestmark = pytest.mark.django_db

# Organisation names as members type them, with the firm each one really is (the oracle's truth).
ORGANISATIONS = {
    "Deloitte": "deloitte",
    "Deloitte Belastingadviseurs B.V.": "deloitte",
    "PwC": "pwc",
    "PricewaterhouseCoopers Belastingadviseurs N.V.": "pwc",
    "KPMG Meijburg & Co": "kpmg",
    "Loyens & Loeff N.V.": "loyens",
    "Loyens en Loeff": "loyens",
    "Kantoor Noord": "noord",
}


def _member(organisation, *, years=12, verified=True):
    member = MemberFactory()
    profile = member.profile
    profile.organisation = organisation
    profile.career_start_year = timezone.localdate().year - years
    profile.wants_mentor = years > 5
    if not verified:
        profile.verification_status = VerificationStatus.PENDING
        profile.verified_at = None
    profile.save()
    return member


def _random_cycle(rng: random.Random):
    """A cycle with one mentee and a dozen mentors, every hard rule in play at random."""
    # The firm groups coordinators keep: the register knows these names are one firm.
    FirmGroup.objects.get_or_create(name="PwC", defaults={"variants": "PricewaterhouseCoopers"})
    FirmGroup.objects.get_or_create(name="Deloitte")
    FirmGroup.objects.get_or_create(name="Loyens & Loeff", defaults={"variants": "Loyens en Loeff"})
    cycle = CycleFactory()
    other_cycle = CycleFactory()
    mentee_org = rng.choice(list(ORGANISATIONS))
    mentee = _member(mentee_org)
    avoided = rng.sample(list(ORGANISATIONS), rng.randint(0, 2))
    application = ApplicationFactory(
        cycle=cycle,
        member=mentee,
        allow_same_organisation=rng.random() < 0.3,
        avoid_organisations=", ".join(avoided),
    )
    facts = {}
    for _number in range(12):
        organisation = rng.choice(list(ORGANISATIONS))
        member = (
            mentee
            if rng.random() < 0.08
            else _member(organisation, years=rng.choice([3, 8, 15, 25]), verified=rng.random() < 0.85)
        )
        if member == mentee and Application.objects.filter(cycle=cycle, member=mentee, role=Role.MENTOR).exists():
            member = _member(organisation)
        mentor_application = MentorApplicationFactory(
            cycle=rng.choice([cycle] * 9 + [other_cycle]),
            member=member,
            capacity=rng.randint(1, 2),
            status=Application.Status.WITHDRAWN if rng.random() < 0.1 else Application.Status.SUBMITTED,
        )
        # Places taken by other mentees (live pairs), and pairs with her that ended early or did not fit.
        taken = rng.randint(0, mentor_application.capacity)
        for _place in range(taken):
            Match.objects.create(
                cycle=mentor_application.cycle,
                mentor=member,
                mentee=MemberFactory(),
                mentor_application=mentor_application,
                status=Match.Status.ACTIVE,
                start_date=timezone.localdate(),
                planned_end=timezone.localdate() + datetime.timedelta(days=365),
            )
        history = rng.choice(["", "", "", "ended_early", "did_not_fit"])
        if history and member != mentee:
            pair = Match.objects.create(
                cycle=cycle,
                mentor=member,
                mentee=mentee,
                mentor_application=mentor_application,
                # A pair that did not fit is left out for the answer alone, whatever became of it.
                status=Match.Status.ENDED_EARLY if history == "ended_early" else Match.Status.COMPLETED,
                ended_on=timezone.localdate(),
            )
            if history == "did_not_fit":
                FitCheck.objects.create(
                    match=pair, member=member, answer=FitCheck.Answer.NO, answered_at=timezone.now()
                )
        facts[mentor_application.pk] = {"application": mentor_application, "taken": taken, "history": history}
    return application, facts, avoided


def _oracle(application, facts, avoided) -> set[int]:
    """The hard rules written out from what the generator knows, not from matching's code."""
    mentee = application.member
    mentee_firm = ORGANISATIONS[mentee.profile.organisation]
    avoided_firms = {ORGANISATIONS[name] for name in avoided}
    allowed = set()
    for pk, fact in facts.items():
        mentor_application = fact["application"]
        mentor = mentor_application.member
        mentor_firm = ORGANISATIONS[mentor.profile.organisation]
        if mentor_application.cycle_id != application.cycle_id:
            continue
        if mentor_application.status != Application.Status.SUBMITTED:
            continue
        if mentor == mentee:
            continue
        if not role_decision(mentor, Role.MENTOR):  # verified (R2) and more than 5 years (R3)
            continue
        if fact["taken"] >= mentor_application.capacity:
            continue
        if mentor_firm == mentee_firm and not application.allow_same_organisation:
            continue
        if mentor_firm in avoided_firms:
            continue
        if fact["history"]:
            continue
        allowed.add(pk)
    return allowed


@pytest.mark.parametrize("seed", range(12))
def test_the_cards_never_offer_a_mentor_that_breaks_a_hard_rule(seed):
    rng = random.Random(seed)
    application, facts, avoided = _random_cycle(rng)

    offered = {card.application_id for card in selectors.shortlist(application=application)}

    assert offered == _oracle(application, facts, avoided)


def test_a_matched_mentee_has_no_shortlist(client, cycle, mentee_application, mentor_application, coordinator):
    confirm_pair(mentor_application, mentee_application, by=coordinator)
    client.force_login(mentee_application.member)

    response = client.get(reverse("matching:mentor_choices", args=[mentee_application.pk]))

    assert response.status_code == 404
    assert selectors.shortlist(application=mentee_application) == []


def test_the_card_shows_who_she_is_and_what_she_offers(client, cycle, mentee_application):
    mentor = _member("Loyens & Loeff N.V.", years=18)
    mentor.profile.region = Region.GELDERLAND
    mentor.profile.save()
    mentor.profile.expertise.set([ExpertiseFactory(name="Transfer pricing")])
    MentorApplicationFactory(cycle=cycle, member=mentor, offer="Twintig jaar praktijk en een groot netwerk.")
    client.force_login(mentee_application.member)

    page = client.get(reverse("matching:mentor_choices", args=[mentee_application.pk])).content.decode()

    for text in (mentor.full_name, "Loyens &amp; Loeff N.V.", "18", "Transfer pricing", "Gelderland"):
        assert text in page
    assert "Twintig jaar praktijk en een groot netwerk." in page
    assert mentor.email not in page  # no contact details before a match (R8)


def _mentors(cycle, count=4):
    return [MentorApplicationFactory(cycle=cycle, member=_member(f"Kantoor {n}"), capacity=1) for n in range(count)]


def test_she_ranks_up_to_three_and_changes_them_while_applications_are_open(client, cycle, mentee_application):
    first, second, third, fourth = _mentors(cycle)
    client.force_login(mentee_application.member)
    url = reverse("matching:mentor_choices", args=[mentee_application.pk])

    response = client.post(url, {"choice_1": first.pk, "choice_2": second.pk, "choice_3": third.pk})
    assert response.status_code == 302
    assert selectors.choices_of(application=mentee_application) == {first.pk: 1, second.pk: 2, third.pk: 3}

    client.post(url, {"choice_1": fourth.pk, "choice_2": first.pk, "choice_3": ""})
    assert selectors.choices_of(application=mentee_application) == {fourth.pk: 1, first.pk: 2}


def test_the_same_mentor_twice_is_refused_with_what_she_typed(client, cycle, mentee_application):
    first, second, *_rest = _mentors(cycle)
    client.force_login(mentee_application.member)

    response = client.post(
        reverse("matching:mentor_choices", args=[mentee_application.pk]), {"choice_1": first.pk, "choice_2": first.pk}
    )

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not MentorChoice.objects.exists()


def test_a_forbidden_mentor_cannot_be_chosen_even_by_a_crafted_request(cycle, mentee_application):
    same_firm = MentorApplicationFactory(cycle=cycle, member=_member(mentee_application.member.profile.organisation))

    with pytest.raises(ValidationError):
        services.mentor_choices_set(
            application=mentee_application, by=mentee_application.member, mentor_application_ids=[same_firm.pk]
        )
    with pytest.raises(ValidationError):
        services.mentor_choices_set(application=mentee_application, by=same_firm.member, mentor_application_ids=[])


def test_choices_after_the_window_closes_are_refused(client, cycle, mentee_application):
    first, second, *_rest = _mentors(cycle)
    services.mentor_choices_set(
        application=mentee_application, by=mentee_application.member, mentor_application_ids=[first.pk]
    )
    Cycle.objects.filter(pk=cycle.pk).update(
        applications_close=timezone.localdate() - datetime.timedelta(days=1), status=Cycle.Status.MATCHING
    )
    mentee_application.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        services.mentor_choices_set(
            application=mentee_application, by=mentee_application.member, mentor_application_ids=[second.pk]
        )
    assert refused.value.code == "choices_closed"

    client.force_login(mentee_application.member)
    url = reverse("matching:mentor_choices", args=[mentee_application.pk])
    page = client.get(url).content.decode()
    assert "Save my choices" not in page and "Mijn keuzes opslaan" not in page
    assert first.member.full_name in page  # she still sees what she chose
    response = client.post(url, {"choice_1": second.pk})
    assert response.status_code == 200
    assert selectors.choices_of(application=mentee_application) == {first.pk: 1}


def test_the_database_keeps_a_ranking_sound(cycle, mentee_application):
    first, second, *_rest = _mentors(cycle)
    MentorChoice.objects.create(application=mentee_application, mentor_application=first, rank=1)
    for values in (
        {"mentor_application": second, "rank": 1},  # one mentor per rank
        {"mentor_application": first, "rank": 2},  # one rank per mentor
        {"mentor_application": second, "rank": 4},  # ranks 1..3
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            MentorChoice.objects.create(application=mentee_application, **values)


def test_a_mentor_never_sees_who_ranked_her(client, cycle, mentee_application):
    mentor_application = _mentors(cycle, 1)[0]
    services.mentor_choices_set(
        application=mentee_application, by=mentee_application.member, mentor_application_ids=[mentor_application.pk]
    )
    mentor = mentor_application.member
    name = mentee_application.member.full_name
    client.force_login(mentor)

    for url in (
        reverse("matching:overview"),
        reverse("matching:application_edit", args=[mentor_application.pk]),
        reverse("dashboard"),
    ):
        assert name not in client.get(url).content.decode(), url
    # Her own shortlist is a mentee's page: she has none for this application.
    assert client.get(reverse("matching:mentor_choices", args=[mentor_application.pk])).status_code == 404
    # Her data (Mijn gegevens) holds no one's choice of her; the mentee's holds her own.
    from accounts.personal_data import contributors

    def sections(user):
        return [section for contributor in contributors() for section in contributor.collect(user)]

    mentor_data = json.dumps([section.records for section in sections(mentor)], default=str)
    assert name not in mentor_data
    mentee_data = [section for section in sections(mentee_application.member) if section.key == "mentor_choices"]
    assert mentee_data[0].records[0]["mentor"] == str(mentor)
    # The one rule every surface asks: only the mentee herself and the coordinators.
    choice = MentorChoice.objects.get()
    assert not disclosure.may_see(mentor, choice, "mentor_application")
    assert disclosure.may_see(mentee_application.member, choice, "mentor_application")
    assert not hasattr(mentor_application, "mentor_choices_received")
