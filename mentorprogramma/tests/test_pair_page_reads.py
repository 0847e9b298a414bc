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
