import datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching.tests.factories import ActiveMatchFactory


@pytest.fixture
def pair(db):
    """An active pair that started a month ago."""
    return ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(days=30))


@pytest.fixture
def mentor(pair):
    return pair.mentor


@pytest.fixture
def mentee(pair):
    return pair.mentee


@pytest.fixture
def other_member(db):
    """A member of another pair: she must never see this pair's meetings."""
    return ActiveMatchFactory().mentee


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory()


@pytest.fixture
def member(db):
    return MemberFactory()
