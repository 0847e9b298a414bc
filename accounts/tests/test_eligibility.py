import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.eligibility import can_apply, can_be_mentor, mentor_decision, years_of_experience
from accounts.models import MembershipType, Profile, VerificationStatus
from accounts.services import profile_save
from accounts.tests.factories import ProfileFactory, UserFactory

TODAY = datetime.date(2026, 11, 21)


def test_experience_is_derived_from_the_start_year_so_it_grows_each_year():
    assert years_of_experience(2020, today=TODAY) == 6
    assert years_of_experience(2020, today=datetime.date(2027, 1, 1)) == 7


def test_exactly_five_years_is_not_enough_to_be_a_mentor():
    # R3: MORE than five years.
    decision = mentor_decision(2021, today=TODAY)

    assert not decision
    assert "meer dan 5 jaar" in decision.reason
    assert "2027" in decision.reason


def test_six_years_is_enough_to_be_a_mentor():
    assert mentor_decision(2020, today=TODAY)


def test_a_start_year_in_the_future_counts_as_no_experience():
    assert years_of_experience(2030, today=TODAY) == 0
    assert not mentor_decision(2030, today=TODAY)


@pytest.mark.django_db
def test_only_a_verified_female_member_may_apply():
    assert not can_apply(UserFactory())

    profile = ProfileFactory()
    assert not can_apply(profile.user)
    assert "verificatie" in can_apply(profile.user).reason

    profile.verification_status = VerificationStatus.REJECTED
    assert not can_apply(profile.user)

    verified = ProfileFactory(verified=True)
    assert can_apply(verified.user)

    verified.confirms_female_member = False
    assert not can_apply(verified.user)


# --- R3 in the service and through the form -------------------------------------------


def _service_fields(**changes):
    from django.utils import timezone

    fields = {
        "membership_number": "123456",
        "membership_type": MembershipType.MEMBER,
        "confirms_female_member": True,
        "organisation": "Kantoor",
        "job_title": "Belastingadviseur",
        "career_start_year": timezone.localdate().year - 5,
        "region": "utrecht",
        "meeting_preference": "both",
        "languages": "Nederlands",
        "wants_mentee": True,
        "wants_mentor": False,
    }
    fields.update(changes)
    return fields


def _years_ago(years):
    from django.utils import timezone

    return timezone.localdate().year - years


@pytest.mark.django_db
def test_service_refuses_a_mentor_with_exactly_five_years_and_says_when_she_qualifies():
    user = UserFactory()

    with pytest.raises(ValidationError) as refused:
        profile_save(user=user, full_name="Anna", **_service_fields(career_start_year=_years_ago(5), wants_mentor=True))

    # R3: MORE than five years; the message says why and from when.
    message = " ".join(refused.value.message_dict["wants_mentor"])
    assert "meer dan 5 jaar" in message
    assert str(_years_ago(5) + 6) in message
    assert not Profile.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_service_accepts_five_years_as_mentee_only():
    profile = profile_save(user=UserFactory(), full_name="Anna", **_service_fields(career_start_year=_years_ago(5)))

    assert profile.wants_mentee and not profile.wants_mentor


@pytest.mark.django_db
def test_service_accepts_a_mentor_with_six_years():
    profile = profile_save(
        user=UserFactory(), full_name="Anna", **_service_fields(career_start_year=_years_ago(6), wants_mentor=True)
    )

    assert profile.wants_mentor
    assert can_be_mentor(profile)


@pytest.mark.django_db
def test_aspiring_member_may_be_a_mentee_and_a_mentor_under_the_same_experience_rule():
    aspirant = profile_save(
        user=UserFactory(),
        full_name="Aspirant",
        **_service_fields(membership_type=MembershipType.ASPIRANT, career_start_year=_years_ago(1)),
    )
    assert aspirant.wants_mentee

    with pytest.raises(ValidationError) as refused:
        profile_save(
            user=UserFactory(),
            full_name="Aspirant twee",
            **_service_fields(
                membership_number="654321",
                membership_type=MembershipType.ASPIRANT,
                career_start_year=_years_ago(5),
                wants_mentor=True,
            ),
        )
    assert "wants_mentor" in refused.value.message_dict

    experienced = profile_save(
        user=UserFactory(),
        full_name="Aspirant drie",
        **_service_fields(
            membership_number="654322",
            membership_type=MembershipType.ASPIRANT,
            career_start_year=_years_ago(6),
            wants_mentor=True,
        ),
    )
    assert experienced.wants_mentor


@pytest.mark.django_db
def test_form_shows_the_r3_refusal_at_the_mentor_field_and_keeps_the_input(client, profile_data):
    client.force_login(UserFactory())

    response = client.post(
        reverse("accounts:profile_edit"),
        profile_data(career_start_year=str(_years_ago(5)), wants_mentor="on", organisation="Mijn Kantoor BV"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "meer dan 5 jaar" in " ".join(form.errors["wants_mentor"])
    assert 'value="Mijn Kantoor BV"' in response.content.decode()
    assert not Profile.objects.exists()


@pytest.mark.django_db
def test_form_lets_a_member_with_six_years_choose_both_roles(client, profile_data):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile_edit"), profile_data(career_start_year=str(_years_ago(6)), wants_mentor="on")
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.wants_mentor and profile.wants_mentee


def test_the_form_shows_the_r3_refusal_together_with_other_errors(client, profile_data):
    # R3 is presented at once, not only after every other field is right.
    client.force_login(UserFactory())

    response = client.post(
        reverse("accounts:profile_edit"),
        profile_data(membership_number="12", career_start_year=str(timezone.localdate().year - 5), wants_mentor="on"),
    )

    errors = response.context["form"].errors
    assert "4 tot 8 cijfers" in " ".join(errors["membership_number"])
    assert "meer dan 5 jaar werkervaring" in " ".join(errors["wants_mentor"])
    assert not Profile.objects.exists()
