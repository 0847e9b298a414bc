"""`core.precompiled`: a query compiled once gives what the ORM gives, for every id it is run with."""

import pytest
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import MemberFactory
from core.precompiled import Precompiled
from matching.models import Match
from matching.selectors import PAIR_PAGE_READS, pair_for_user
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


def test_annotations_come_along_as_the_orm_sets_them():
    first, renewed = ActiveMatchFactory(), ActiveMatchFactory()
    later = ActiveMatchFactory(mentor=renewed.mentor, mentee=renewed.mentee, previous_term=renewed)
    annotated = Precompiled(lambda pk: Match.objects.filter(mentor_id=pk).with_next_term().order_by("pk"))
    for mentor in (first.mentor, renewed.mentor):
        expected = Match.objects.filter(mentor_id=mentor.pk).with_next_term().order_by("pk")
        got = annotated(mentor.pk)
        assert [(m.pk, m.continues_in_next_term) for m in got] == [(m.pk, m.continues_in_next_term) for m in expected]
    assert [m.continues_in_next_term for m in annotated(renewed.mentor.pk)] == [True, False]
    assert later.previous_term_id == renewed.pk


def test_extra_columns_are_refused_rather_than_lost():
    extra = Precompiled(lambda pk: Match.objects.filter(mentor_id=pk).extra(select={"one": "1"}))
    with pytest.raises(ValueError):
        extra(1)


@pytest.mark.parametrize("pk", ["abc", None, 0, -1, 2**63, 10**30, "12x"])
def test_a_pair_id_no_pair_can_have_is_not_found_rather_than_an_error(pk):
    pair = ActiveMatchFactory()
    with pytest.raises(Http404):
        pair_for_user(user=pair.mentor, pk=pk)


def test_the_pair_read_is_her_pair_with_what_the_page_reads_in_one_query():
    pair = ActiveMatchFactory()
    stranger = MemberFactory()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):  # compiled once, run twice
            found = pair_for_user(user=pair.mentee, pk=str(pair.pk), reads=PAIR_PAGE_READS)
            assert found == pair and found.mentor.profile and found.continues_in_next_term is False
    assert len(queries) == 2
    with pytest.raises(Http404):
        pair_for_user(user=stranger, pk=pair.pk)
