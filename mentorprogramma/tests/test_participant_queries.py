"""Participant pages read a bounded number of queries, however long her history (issue 17).

A member with one year behind her and a member with four years (an application, a pair and
its meetings in each) must see their pages in the same number of queries, at most 12.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MemberFactory
from matching.models import Cycle, Match, Role
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory
from meetings.tests.factories import HeldMeetingFactory, MeetingFactory

MAX_QUERIES = 12


def _history(mentor, mentee, years: int) -> Match:
    """`years` finished cycles with a completed pair each, then a running one: returns the active pair."""
    today = timezone.localdate()
    for year in range(years):
        start = today - datetime.timedelta(days=400 * (years - year) + 30)
        cycle = CycleFactory(
            applications_open=start - datetime.timedelta(days=60),
            applications_close=start - datetime.timedelta(days=30),
            planned_start=start,
            status=Cycle.Status.CLOSED,
        )
        mentor_application = MentorApplicationFactory(cycle=cycle, member=mentor)
        mentee_application = ApplicationFactory(cycle=cycle, member=mentee)
        old = ActiveMatchFactory(
            cycle=cycle,
            mentor=mentor,
            mentee=mentee,
            mentor_application=mentor_application,
            mentee_application=mentee_application,
            start_date=start,
            status=Match.Status.COMPLETED,
        )
        HeldMeetingFactory.create_batch(3, match=old)
        # She mentored someone else that year too.
        other = ActiveMatchFactory(cycle=cycle, mentor=mentor, mentor_application=mentor_application, start_date=start)
        other.status = Match.Status.COMPLETED
        other.save()
    running = CycleFactory(
        applications_open=today - datetime.timedelta(days=90),
        applications_close=today - datetime.timedelta(days=60),
        planned_start=today - datetime.timedelta(days=30),
        status=Cycle.Status.RUNNING,
    )
    match = ActiveMatchFactory(
        cycle=running,
        mentor=mentor,
        mentee=mentee,
        mentor_application=MentorApplicationFactory(cycle=running, member=mentor),
        mentee_application=ApplicationFactory(cycle=running, member=mentee),
        start_date=running.planned_start,
    )
    HeldMeetingFactory.create_batch(2, match=match)
    MeetingFactory(match=match)
    # A second active mentee of hers, and an open cycle she applied to again.
    second = ActiveMatchFactory(cycle=running, mentor=mentor, start_date=running.planned_start)
    HeldMeetingFactory(match=second)
    open_cycle = CycleFactory()
    MentorApplicationFactory(cycle=open_cycle, member=mentor)
    ApplicationFactory(cycle=open_cycle, member=mentee, role=Role.MENTEE)
    return match


def _pages(match) -> dict[str, str]:
    return {
        "dashboard": reverse("dashboard"),
        "programme": reverse("matching:overview"),
        "pair page": reverse("matching:pair_detail", args=[match.pk]),
        "meetings": reverse("meetings:list", args=[match.pk]),
    }


def _count(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # warm up: the session and the language are settled once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_participant_pages_read_at_most_12_queries_whatever_her_history(client, role):
    light = _history(MemberFactory(), MemberFactory(), years=1)
    heavy = _history(MemberFactory(), MemberFactory(), years=4)
    for name, url in _pages(light).items():
        light_count = _count(client, getattr(light, role), url)
        heavy_count = _count(client, getattr(heavy, role), _pages(heavy)[name])
        assert heavy_count <= MAX_QUERIES, f"{role} {name}: {heavy_count} queries"
        assert heavy_count == light_count, f"{role} {name}: {light_count} queries with 1 year, {heavy_count} with 4"


@pytest.mark.django_db
def test_the_dashboard_states_match_her_pairs_without_asking_per_application(client, django_assert_max_num_queries):
    """The annotated count gives the same states the per-application query gave."""
    from matching import selectors

    match = _history(MemberFactory(), MemberFactory(), years=2)
    for user in (match.mentor, match.mentee):
        annotated = {
            a.pk: selectors.application_state(application=a) for a in selectors.applications_for_user(user=user)
        }
        for application in user.applications.all():
            assert annotated[application.pk] == selectors.application_state(application=application)
        assert {"matched", "partly_matched"} & set(annotated.values())
    with django_assert_max_num_queries(1):
        [selectors.application_state(application=a) for a in selectors.applications_for_user(user=match.mentor)]


def _asks_whether_she_has_a_pair(sql: str) -> bool:
    return sql.startswith('SELECT 1 AS "a" FROM "matching_match"')


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["dashboard", "pair page", "meetings"])
def test_the_nav_does_not_ask_again_for_the_pairs_the_page_read(client, page):
    """Issue 24: on her overview the nav reads the lists her panels read; on a pair's pages it knows she has
    a pair from the pair the page opened. Either way it asks nothing of its own, and still says the same."""
    match = _history(MemberFactory(), MemberFactory(), years=1)
    url = _pages(match)[page]
    client.force_login(match.mentee)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert [q["sql"] for q in queries if _asks_whether_she_has_a_pair(q["sql"])] == []
    assert f'href="{reverse("matching:overview")}">Mijn mentorschap</a>' in response.content.decode()


@pytest.mark.django_db
def test_her_overview_offers_to_apply_while_she_has_neither_pair_nor_application(client):
    CycleFactory()  # open today
    client.force_login(MemberFactory())
    response = client.get(reverse("dashboard"))
    assert f'href="{reverse("matching:overview")}">Aanmelden</a>' in response.content.decode()


# Issue 24: her overview and her programme page read her pairs and applications in one plain query each.
OWN_PAGE_QUERIES = {"dashboard": 7, "programme": 6}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_her_overview_and_programme_page_stay_within_their_own_bounds(client, role):
    match = _history(MemberFactory(), MemberFactory(), years=3)
    pages = _pages(match)
    for name, bound in OWN_PAGE_QUERIES.items():
        count = _count(client, getattr(match, role), pages[name])
        assert count <= bound, f"{role} {name}: {count} queries"


def _reads_open_cycles(sql: str) -> bool:
    return sql.startswith('SELECT "matching_cycle"."id"')


@pytest.mark.django_db
def test_her_overview_reads_the_open_cycles_only_to_offer_applying(client):
    """She has a pair and applications: the panel offers nothing to apply to, so it reads no open cycles."""
    match = _history(MemberFactory(), MemberFactory(), years=1)
    client.force_login(match.mentee)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dashboard"))
    assert [q["sql"] for q in queries if _reads_open_cycles(q["sql"])] == []

    newcomer = MemberFactory()
    client.force_login(newcomer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert len([q for q in queries if _reads_open_cycles(q["sql"])]) == 1
    assert "Aanmelden" in response.content.decode()
