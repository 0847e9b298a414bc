"""`core.precompiled`: a query compiled once gives what the ORM gives, for every id it is run with."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import MemberFactory
from core.precompiled import Precompiled
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory

pytestmark = pytest.mark.django_db

PAIRS = Precompiled(
    lambda pk: Match.objects.filter(Q(mentor_id=pk) | Q(mentee_id=pk)).select_related("mentor", "mentee", "cycle")
)


def _orm(pk):
    return list(Match.objects.filter(Q(mentor_id=pk) | Q(mentee_id=pk)).select_related("mentor", "mentee", "cycle"))


def _facts(matches):
    return [
        (
            m.pk,
            m.status,
            m.start_date,
            m.confirmed_at,
            m.mentor.full_name,
            m.mentee.email,
            m.cycle.name,
            m.cycle.planned_start,
            m._state.db,
            m._state.adding,
        )
        for m in matches
    ]


def test_a_precompiled_query_gives_the_orms_objects_for_each_id_in_one_query_each():
    mentor = MemberFactory()
    first = ActiveMatchFactory(mentor=mentor)
    ActiveMatchFactory(mentor=mentor)
    ActiveMatchFactory(mentee=first.mentee)
    someone_else = MemberFactory()
    for member in (mentor, first.mentee, someone_else):
        with CaptureQueriesContext(connection) as queries:
            got = PAIRS(member.pk)
        assert len(queries) == 1
        assert sorted(_facts(got)) == sorted(_facts(_orm(member.pk)))
    assert len(PAIRS(mentor.pk)) == 2 and PAIRS(someone_else.pk) == []
    # The related objects are cached on the pair: reading them asks nothing.
    with CaptureQueriesContext(connection) as queries:
        [(m.mentor.pk, m.mentee.pk, m.cycle.pk) for m in PAIRS(first.mentee.pk)]
    assert len(queries) == 1


def test_an_id_that_does_not_stand_in_the_sql_as_itself_is_refused():
    shifted = Precompiled(lambda pk: Match.objects.filter(mentor_id=pk + 1))
    with pytest.raises(ValueError):
        shifted(1)


def test_a_query_with_annotations_is_refused_rather_than_losing_them():
    annotated = Precompiled(lambda pk: Match.objects.filter(mentor_id=pk).with_next_term())
    with pytest.raises(ValueError):
        annotated(1)
