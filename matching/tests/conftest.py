import pytest

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory


@pytest.fixture
def cycle(db):
    return CycleFactory()


@pytest.fixture
def mentor_application(cycle):
    return MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=1)


@pytest.fixture
def mentee_application(cycle):
    return ApplicationFactory(cycle=cycle, member=MemberFactory())


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory()
