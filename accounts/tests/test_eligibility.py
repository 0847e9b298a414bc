import datetime

import pytest

from accounts.eligibility import can_apply, mentor_decision, years_of_experience
from accounts.models import VerificationStatus
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
