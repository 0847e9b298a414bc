"""The conflict-of-interest register: no mentor from the mentee's own firm (issue 16 §4)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import MemberFactory
from matching import scoring
from matching.demo import load_firm_groups
from matching.models import Application, FirmGroup
from matching.organisations import OrganisationRegister, normalise_organisation
from matching.tests.factories import ApplicationFactory, MentorApplicationFactory, confirm_pair

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Deloitte Belastingadviseurs B.V.", "deloitte belastingadviseurs"),
        ("DELOITTE belastingadviseurs bv", "deloitte belastingadviseurs"),
        ("KPMG Meijburg & Co", "kpmg meijburg"),
        ("Meijburg & Co.", "meijburg"),
        ("PricewaterhouseCoopers Belastingadviseurs N.V.", "pricewaterhousecoopers belastingadviseurs"),
        ("Ernst & Young Belastingadviseurs LLP", "ernst and young belastingadviseurs"),
        ("  Loyens  &  Loeff N.V. ", "loyens and loeff"),
        ("Höcker Advocaten", "hocker advocaten"),
    ],
)
def test_organisation_names_are_normalised(name, normalised):
    assert normalise_organisation(name) == normalised


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Deloitte", "Deloitte Belastingadviseurs B.V."),
        ("PwC", "PricewaterhouseCoopers"),
        ("PwC Belastingadviseurs N.V.", "Pricewaterhousecoopers B.V."),
        ("KPMG Meijburg & Co", "Meijburg & Co"),
        ("KPMG", "Meijburg & Co."),
    ],
)
def test_firm_variants_fall_in_one_group(one, other):
    load_firm_groups()
    register = OrganisationRegister.load()

    assert register.key(one) == register.key(other)
    assert register.key(one).startswith("group:")


def test_the_groups_are_data_coordinators_keep_not_code():
    assert OrganisationRegister.load().key("PwC") != OrganisationRegister.load().key("PricewaterhouseCoopers")

    FirmGroup.objects.create(name="PwC", variants="PricewaterhouseCoopers\nPwC Belastingadviseurs")

    register = OrganisationRegister.load()
    assert register.key("PwC") == register.key("PricewaterhouseCoopers")
    assert register.key("Loyens & Loeff") != register.key("PwC")


def _at(application, organisation):
    profile = application.member.profile
    profile.organisation = organisation
    profile.save()
    return application


def test_the_hard_rule_refuses_a_mentor_from_the_same_firm_group(cycle, coordinator):
    load_firm_groups()
    mentor_application = _at(MentorApplicationFactory(cycle=cycle), "PricewaterhouseCoopers Belastingadviseurs N.V.")
    mentee_application = _at(ApplicationFactory(cycle=cycle), "PwC")

    with pytest.raises(ValidationError, match="zelfde organisatiegroep"):
        confirm_pair(mentor_application, mentee_application, by=coordinator)

    mentee_application.allow_same_organisation = True
    mentee_application.save()
    assert confirm_pair(mentor_application, mentee_application, by=coordinator)


def test_her_own_no_mentor_from_list_is_a_hard_rule_too(cycle, coordinator):
    load_firm_groups()
    mentor_application = _at(MentorApplicationFactory(cycle=cycle), "Ernst & Young Belastingadviseurs LLP")
    mentee_application = _at(ApplicationFactory(cycle=cycle, avoid_organisations="Loyens & Loeff, EY"), "Kantoor X")
    # Her own firm is fine if she allows it; a firm she names never is.
    mentee_application.allow_same_organisation = True
    mentee_application.save()

    with pytest.raises(ValidationError, match="geen mentor van deze organisatie"):
        confirm_pair(mentor_application, mentee_application, by=coordinator)


def test_the_score_table_and_the_single_rule_agree_on_every_pair(cycle):
    load_firm_groups()
    mentors = [
        _at(MentorApplicationFactory(cycle=cycle), "Deloitte Tax"),
        _at(MentorApplicationFactory(cycle=cycle), "KPMG Meijburg & Co"),
        _at(MentorApplicationFactory(cycle=cycle), "Loyens & Loeff N.V."),
    ]
    _at(ApplicationFactory(cycle=cycle), "Deloitte Belastingadviseurs B.V.")
    _at(ApplicationFactory(cycle=cycle, avoid_organisations="Meijburg & Co"), "Kantoor Y")
    from matching import selectors

    mentor_candidates, mentee_candidates, _topics = selectors.cycle_candidates(cycle=cycle)
    table = scoring.score_table(mentor_candidates, mentee_candidates)

    for row, mentee in enumerate(mentee_candidates):
        for column, mentor in enumerate(mentor_candidates):
            assert bool(table.allowed[row, column]) == (scoring.hard_rule_violation(mentor, mentee) == "")
    assert [mentor.organisation_name for mentor in mentor_candidates] == [
        application.member.profile.organisation for application in mentors
    ]
    assert table.allowed.tolist() == [[False, True, True], [True, False, True]]


def test_the_matching_screen_shows_organisations_and_why_a_mentor_is_not_offered(
    client, coordinator, cycle, django_capture_on_commit_callbacks
):
    load_firm_groups()
    mentor_application = _at(MentorApplicationFactory(cycle=cycle), "KPMG Meijburg & Co")
    mentee_application = _at(ApplicationFactory(cycle=cycle), "Meijburg & Co")
    client.force_login(coordinator)

    page = client.get(reverse("admin:matching_cycle_matching", args=[cycle.pk])).content.decode()

    assert "KPMG Meijburg &amp; Co" in page
    assert "Meijburg &amp; Co" in page
    assert f"{mentor_application.member.full_name} (KPMG Meijburg &amp; Co): zelfde organisatiegroep" in page
    # The proposal is a background job (in-process here, once the request's transaction commits).
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:matching_cycle_proposal", args=[cycle.pk]), {"action": "start"})
    proposal = client.get(reverse("admin:matching_cycle_proposal", args=[cycle.pk])).content.decode()
    assert "zelfde organisatiegroep" in proposal
    assert mentee_application.member.full_name in proposal


def test_coordinators_keep_the_register_in_the_admin(client, coordinator):
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:matching_firmgroup_add"), {"name": "Deloitte", "variants": "Deloitte Belastingadviseurs B.V."}
    )

    assert response.status_code == 302
    assert FirmGroup.objects.get().variant_list() == ["Deloitte", "Deloitte Belastingadviseurs B.V."]


def test_a_mentee_names_organisations_on_her_application(client, cycle):
    member = MemberFactory()
    client.force_login(member)

    client.post(
        reverse("matching:apply", kwargs={"cycle_pk": cycle.pk, "role": "mentee"}),
        {
            "mentoring_question": "Hoe vind ik mijn specialisatie?",
            "meeting_preference": "both",
            "avoid_organisations": "Deloitte, PwC",
        },
    )

    assert Application.objects.get(member=member).avoid_organisations == "Deloitte, PwC"
