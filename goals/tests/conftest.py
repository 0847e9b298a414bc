import datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory

MENTORVRAAG = "Hoe word ik een leider die haar vakinhoud niet loslaat en toch durft te delegeren?"


@pytest.fixture
def pair(db):
    """An active pair that started a month ago, from the mentee's application (R7)."""
    match = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(days=30))
    match.mentee_application = ApplicationFactory(
        member=match.mentee, cycle=match.cycle, mentoring_question=MENTORVRAAG
    )
    match.save()
    return match


@pytest.fixture
def mentor(pair):
    return pair.mentor


@pytest.fixture
def mentee(pair):
    return pair.mentee


@pytest.fixture
def other_member(db):
    """A member of another pair: she never sees this pair's goals."""
    return ActiveMatchFactory().mentee


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory()


@pytest.fixture
def member(db):
    return MemberFactory()
