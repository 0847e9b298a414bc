"""Issue 17 §4: the coordinators' large change lists read a page in a fixed number of queries.

Each list gets more rows than its query budget, with the rows that used to cost a query each
(an erased partner, a pair in its renewal month with answers, a renewed pair, a message to an
address without an account, a member with expertise), so a column that reads per row fails
here. Nothing is timed; bench/pages.py measures the time.

The rows are read keys first (KeysFirstPaginator) and their action checkboxes written without a
widget render: both must give exactly what Django itself gives.
"""

import re
from types import MethodType
from urllib.parse import urlencode

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib import admin
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Expertise, Profile
from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory
from core.admin import KeysFirstPaginator
from matching.models import Application, Cycle, Match, RenewalAnswer
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory
from meetings.models import PairMeetingStatistics
from meetings.tests.factories import HeldMeetingFactory
from notifications.admin import OutboxMessageAdmin
from notifications.models import OutboxMessage
from notifications.tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

ROWS = 16
# Log-in, MFA and permission checks, the count, the page's keys, its rows and what they prefetch,
# the filters' own lookups: well under ROWS, so one query per row cannot hide in the margin.
MAX_QUERIES = 14


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def coordinator_client(client):
    client.force_login(CoordinatorFactory())
    return client


@pytest.fixture
def outbox():
    members = MemberFactory.create_batch(3)
    kinds = list(OutboxMessage.Kind)
    for number in range(ROWS):
        OutboxMessageFactory(
            kind=kinds[number % len(kinds)],
            recipient=members[number % 3] if number % 4 else None,
            to_email="" if number % 4 else f"onbekend{number}@example.org",
            status=OutboxMessage.Status.FAILED if number % 5 == 0 else OutboxMessage.Status.PENDING,
            last_error="SMTPRecipientsRefused: " + "mailbox full " * 10 if number % 5 == 0 else "",
        )


@pytest.fixture
def profiles():
    btw = Expertise.objects.get_or_create(name="Btw")[0]
    for number in range(ROWS):
        ProfileFactory(expertise=[btw] if number % 2 else [], wants_mentor=bool(number % 3), needs_review=number == 1)


@pytest.fixture
def matches():
    """Pairs in every state the columns distinguish, the renewal month among them."""
    renewal_start = timezone.localdate() - relativedelta(months=11, days=10)
    for number in range(ROWS // 3 + 1):
        due = ActiveMatchFactory(start_date=renewal_start, planned_end=renewal_start + relativedelta(months=12))
        RenewalAnswer.objects.create(match=due, member=due.mentee, wants_to_continue=True)
        if number % 2:
            RenewalAnswer.objects.create(match=due, member=due.mentor, wants_to_continue=number != 3)
        ActiveMatchFactory()
        # A finished pair whose mentor erased her account: the mentor column is empty.
        gone = ActiveMatchFactory(status=Match.Status.COMPLETED, ended_on=timezone.localdate())
        Match.objects.filter(pk=gone.pk).update(mentor=None)
    # A pair that chose to continue (R5): its first term completed, the second one running.
    first = ActiveMatchFactory(status=Match.Status.COMPLETED, ended_on=timezone.localdate())
    ActiveMatchFactory(cycle=first.cycle, mentor=first.mentor, mentee=first.mentee, term=2, previous_term=first)
    for match in Match.objects.filter(status=Match.Status.ACTIVE)[: ROWS // 2]:
        HeldMeetingFactory(match=match)


@pytest.fixture
def applications():
    cycles = [CycleFactory(), CycleFactory(status=Cycle.Status.MATCHING)]
    for number in range(ROWS):
        factory = MentorApplicationFactory if number % 3 == 0 else ApplicationFactory
        factory(cycle=cycles[number % 2])


LISTS = [
    pytest.param(OutboxMessage, "outbox", id="outbox"),
    pytest.param(Profile, "profiles", id="profiles"),
    pytest.param(Match, "matches", id="matches"),
    pytest.param(Application, "applications", id="applications"),
    pytest.param(PairMeetingStatistics, "matches", id="pair meeting statistics"),
]


@pytest.mark.parametrize(("model", "rows"), LISTS)
def test_a_large_list_reads_a_page_in_a_fixed_number_of_queries(
    coordinator_client, django_assert_max_num_queries, request, model, rows
):
    request.getfixturevalue(rows)
    url = changelist(model)
    coordinator_client.get(url)  # the session and language settle first

    with django_assert_max_num_queries(MAX_QUERIES):
        response = coordinator_client.get(url)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= ROWS


@pytest.mark.parametrize(("model", "rows"), LISTS)
def test_a_later_page_is_read_in_the_same_fixed_number_of_queries(
    coordinator_client, django_assert_max_num_queries, monkeypatch, request, model, rows
):
    request.getfixturevalue(rows)
    monkeypatch.setattr(admin.site._registry[model], "list_per_page", ROWS // 2)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = coordinator_client.get(changelist(model) + "?p=2")

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == ROWS // 2


def _without_csrf(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


@pytest.mark.parametrize(
    ("model", "rows", "query"),
    [
        (OutboxMessage, "outbox", ""),
        (OutboxMessage, "outbox", "?status__exact=failed&o=4"),
        (Profile, "profiles", ""),
        (Profile, "profiles", "?wants_mentor__exact=1&o=-2"),
        (Match, "matches", ""),
        (Match, "matches", "?status__exact=active"),
        (Match, "matches", "?_popup=1&_to_field=id"),
        (Application, "applications", "?role__exact=mentor"),
        (PairMeetingStatistics, "matches", ""),
    ],
)
def test_the_rows_are_exactly_those_django_writes(coordinator_client, monkeypatch, request, model, rows, query):
    request.getfixturevalue(rows)
    url = changelist(model) + query
    ours = coordinator_client.get(url)
    model_admin = admin.site._registry[model]
    # Django's own checkbox and paging.
    monkeypatch.setattr(model_admin, "action_checkbox", MethodType(admin.ModelAdmin.action_checkbox, model_admin))
    monkeypatch.setattr(model_admin, "paginator", Paginator)

    django = coordinator_client.get(url)

    assert _without_csrf(ours.content) == _without_csrf(django.content)


@pytest.mark.parametrize(
    ("model", "rows", "query"),
    [
        (OutboxMessage, "outbox", ""),
        (Profile, "profiles", "?o=1"),
        (Profile, "profiles", "?o=-12"),  # by last participation, an annotation
        (Match, "matches", "?o=3.-1"),
        (PairMeetingStatistics, "matches", "?o=-6"),  # by meetings held, an annotation
    ],
)
def test_keys_first_pages_hold_the_rows_django_would_show(coordinator_client, monkeypatch, request, model, rows, query):
    request.getfixturevalue(rows)
    monkeypatch.setattr(admin.site._registry[model], "list_per_page", 5)

    cl = coordinator_client.get(changelist(model) + query + ("&" if query else "?") + "p=2").context["cl"]

    assert isinstance(cl.paginator, KeysFirstPaginator)
    assert [row.pk for row in cl.result_list] == [row.pk for row in cl.queryset[5:10]]


def test_a_search_across_a_relation_is_paged_as_django_pages_it(coordinator_client, monkeypatch, profiles):
    btw = Expertise.objects.get(name="Btw")
    monkeypatch.setattr(admin.site._registry[Profile], "list_per_page", 3)

    cl = coordinator_client.get(changelist(Profile) + f"?expertise__id__exact={btw.pk}&p=2").context["cl"]

    assert cl.queryset.query.distinct
    assert [row.pk for row in cl.result_list] == [row.pk for row in cl.queryset[3:6]]


def test_the_outbox_checkbox_names_each_message_as_its_str_does(outbox):
    model_admin = admin.site._registry[OutboxMessage]
    assert isinstance(model_admin, OutboxMessageAdmin)
    messages = list(OutboxMessage.objects.select_related("recipient"))
    for kind in OutboxMessage.Kind:
        messages[0].kind = kind
        assert model_admin.action_checkbox_label(messages[0]) == str(messages[0])
    for message in messages:
        assert model_admin.action_checkbox_label(message) == str(message)


def test_the_outbox_filters_by_when_it_was_created(coordinator_client, outbox):
    old = OutboxMessageFactory()
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - relativedelta(months=2))
    when = next(
        spec
        for spec in coordinator_client.get(changelist(OutboxMessage)).context["cl"].filter_specs
        if isinstance(spec, admin.DateFieldListFilter)
    )
    past_week = dict(when.links)[_("Past 7 days")]

    response = coordinator_client.get(changelist(OutboxMessage) + "?" + urlencode(past_week))

    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert len(shown) == ROWS and old.pk not in shown


def test_the_renewal_column_still_tells_the_joint_outcome(coordinator_client, matches):
    page = coordinator_client.get(changelist(Match)).content.decode()

    # Due pairs: both said yes (agreed), one said no (declined), one still to answer (open).
    assert "beiden willen doorgaan" in page
    assert "gaan niet door" in page
    assert "wacht op antwoorden" in page


def test_the_member_list_counts_every_profile_or_the_filtered_ones(coordinator_client, profiles):
    everyone = coordinator_client.get(changelist(Profile)).context["cl"]
    mentors = coordinator_client.get(changelist(Profile) + "?wants_mentor__exact=1").context["cl"]
    found = coordinator_client.get(changelist(Profile) + "?q=Kantoor").context["cl"]

    assert everyone.result_count == Profile.objects.count() == ROWS
    assert mentors.result_count == Profile.objects.filter(wants_mentor=True).count() < ROWS
    assert found.result_count == ROWS  # every factory profile works at a "Kantoor"
