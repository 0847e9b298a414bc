"""Issue 24: the pair page reads each thing it shows once, whatever the pair holds.

The pair with both partners, their profiles, her mentorvraag and their agreement in one query
(`pair_for_user`), her fit checks, the pair's meetings and goals: seven queries with the session,
the user and her profile. The renewal answers are read only while the renewal question is open.
"""

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.tests.factories import GoalFactory
from matching import services
from matching.models import FitCheck, Match
from matching.tests.factories import ActiveMatchFactory
from meetings.tests.factories import HeldMeetingFactory, MeetingFactory

pytestmark = pytest.mark.django_db

# Session, user, her profile; the pair (partners, profiles, mentorvraag, agreement); her fit checks;
# the pair's meetings; the pair's goals.
PAIR_PAGE_QUERIES = 7


def _queries(client, user, url) -> list[str]:
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm up: the session and the language are settled once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries]


def _pair_with_everything():
    match = ActiveMatchFactory()
    HeldMeetingFactory.create_batch(2, match=match)
    MeetingFactory(match=match)
    GoalFactory(match=match)
    return match


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_the_pair_page_reads_the_pair_and_its_agreement_in_one_query(client, role):
    match = _pair_with_everything()
    sql = _queries(client, getattr(match, role), reverse("matching:pair_detail", args=[match.pk]))

    assert len(sql) <= PAIR_PAGE_QUERIES, "\n".join(sql)
    assert not [query for query in sql if query.startswith('SELECT "matching_agreement"')]
    assert not [query for query in sql if '"matching_renewalanswer"' in query]  # not due yet


def test_the_pair_page_reads_the_renewal_answers_while_the_question_is_open(client):
    start = timezone.localdate() - relativedelta(months=11, days=15)
    match = ActiveMatchFactory(start_date=start, planned_end=start + relativedelta(months=12))
    match.renewal_answers.create(member=match.mentee, wants_to_continue=True)
    client.force_login(match.mentee)

    page = client.get(reverse("matching:pair_detail", args=[match.pk])).content.decode()

    assert "Je hebt aangegeven dat je wilt doorgaan." in page
    assert "Je mentor heeft nog niet geantwoord." in page


def test_the_meetings_list_reads_the_pair_and_its_meetings_only(client):
    match = _pair_with_everything()
    sql = _queries(client, match.mentee, reverse("meetings:list", args=[match.pk]))

    # Session, user, her profile, the pair with both partners, its meetings: nobody who planned them.
    assert len(sql) <= 5, "\n".join(sql)
    meetings = [query for query in sql if query.startswith('SELECT "meetings_meeting"')]
    assert len(meetings) == 1 and '"accounts_user"' not in meetings[0]
    assert '"accounts_profile"' not in next(query for query in sql if query.startswith('SELECT "matching_match"'))


def _confirmed(match):
    match.status = Match.Status.CONFIRMED
    match.start_date = timezone.localdate() + relativedelta(days=10)
    match.save()


def _completed(match):
    Match.objects.filter(pk=match.pk).update(status=Match.Status.COMPLETED, ended_on=timezone.localdate())


def _ended_early(match):
    services.match_end_early(match=match, by=match.mentee, reason="Past niet", category="fit", reason_shared=True)


def _fit_check_answered(match):
    FitCheck.objects.create(match=match, member=match.mentor, answer=FitCheck.Answer.GOOD, answered_at=timezone.now())
    FitCheck.objects.create(match=match, member=match.mentee, round=1)


@pytest.mark.parametrize(
    "change, extra",
    [
        (_confirmed, 0),
        # Once the pair is over, R8 asks whether the two share another live pair (a renewed term) before
        # it hides the contact details: one question more.
        (_completed, 1),
        (_ended_early, 1),
        (_fit_check_answered, 0),
    ],
)
@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_the_pair_page_reads_no_more_in_any_state_of_the_pair(client, role, change, extra):
    """Every branch of the page (before the start, completed, ended early, a fit check) shows what the pair
    read holds: nothing is fetched afterwards, field by field."""
    match = _pair_with_everything()
    change(match)
    sql = _queries(client, getattr(match, role), reverse("matching:pair_detail", args=[match.pk]))

    assert len(sql) <= PAIR_PAGE_QUERIES + extra, "\n".join(sql)


def test_a_pair_in_its_third_term_reads_its_earlier_terms_in_one_query(client):
    """R5: the page lists every term; however many there were, they are one question (it was one per term)."""
    first = ActiveMatchFactory()
    pair = {"cycle": first.cycle, "mentor": first.mentor, "mentee": first.mentee}
    Match.objects.filter(pk=first.pk).update(status=Match.Status.COMPLETED, ended_on=timezone.localdate())
    second = ActiveMatchFactory(**pair, term=2, previous_term=first)
    Match.objects.filter(pk=second.pk).update(status=Match.Status.COMPLETED, ended_on=timezone.localdate())
    third = ActiveMatchFactory(**pair, term=3, previous_term=second)
    url = reverse("matching:pair_detail", args=[third.pk])

    sql = _queries(client, third.mentee, url)

    assert len(sql) <= PAIR_PAGE_QUERIES + 1, "\n".join(sql)
    page = client.get(url).content.decode()
    for earlier in (first, second):
        assert reverse("matching:pair_detail", args=[earlier.pk]) in page


def test_the_orders_sorted_in_python_are_the_models_orders():
    """Goals oldest first (live before finished), her latest fit check first: sorted in Python, not by the
    database (its ORDER BY cost Django more CPU than these few rows), in the same order as before."""
    from goals.selectors import pair_goals
    from matching.selectors import fit_checks_of

    match = ActiveMatchFactory()
    later = GoalFactory(match=match, text="Later")
    earlier = GoalFactory(match=match, text="Eerder")
    type(earlier).objects.filter(pk=earlier.pk).update(created_at=later.created_at - relativedelta(days=1))
    assert [view.text for view in pair_goals(match=match)] == ["Eerder", "Later"]

    answered_at = timezone.now()
    FitCheck.objects.create(match=match, member=match.mentee, answer=FitCheck.Answer.DOUBT, answered_at=answered_at)
    FitCheck.objects.create(
        match=match, member=match.mentee, round=2, answer=FitCheck.Answer.GOOD, answered_at=answered_at
    )
    FitCheck.objects.create(match=match, member=match.mentee, round=3)
    open_check, answered = fit_checks_of(match=match, user=match.mentee)
    assert (open_check.round, answered.round, answered.answer) == (3, 2, FitCheck.Answer.GOOD)
