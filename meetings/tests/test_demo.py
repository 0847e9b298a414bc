import io

import pytest

from accounts.tests.factories import MemberFactory
from meetings import demo
from meetings.models import Meeting, PrivateNote

pytestmark = pytest.mark.django_db


def test_demo_meetings_for_the_first_active_demo_pair_once(pair):
    members = {"mentor": pair.mentor, "mentee": pair.mentee}

    demo.load(members=members, stdout=io.StringIO())
    demo.load(members=members, stdout=io.StringIO())

    assert pair.meetings.filter(status=Meeting.Status.HELD, is_introduction=True).count() == 1
    assert pair.meetings.filter(status=Meeting.Status.PLANNED).count() == 1
    assert PrivateNote.objects.count() == 1


def test_demo_does_nothing_without_an_active_demo_pair(db):
    demo.load(members={"mentee": MemberFactory()}, stdout=io.StringIO())

    assert not Meeting.objects.exists()
