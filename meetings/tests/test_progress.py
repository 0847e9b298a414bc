"""R10: the pair sees how many of the two required meetings they have held; cancelled ones do not count."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MemberFactory
from matching.models import Match
from meetings import selectors
from meetings.models import Meeting

from .factories import HeldMeetingFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _hold(pair, count):
    for days_ago in range(count):
        HeldMeetingFactory(match=pair, starts_at=timezone.now() - datetime.timedelta(days=days_ago + 1))


@pytest.mark.parametrize(
    ("held", "figure"),
    [
        (0, "0 van 2 afspraken gehouden"),
        (1, "1 van 2 afspraken gehouden"),
        (2, "2 afspraken gehouden: het minimum van twee is bereikt."),
        (3, "3 afspraken gehouden: het minimum van twee is bereikt."),
    ],
)
def test_the_r10_figure_counts_held_meetings_only(client, pair, held, figure):
    _hold(pair, held)
    # Neither a cancelled nor a planned meeting counts toward R10.
    MeetingFactory(match=pair, status=Meeting.Status.CANCELLED, starts_at=timezone.now() - datetime.timedelta(hours=5))
    MeetingFactory(match=pair)
    client.force_login(pair.mentee)

    # The pair page ("Mijn mentorschap") and the meetings list show the same figure.
    for url in (reverse("matching:pair_detail", args=[pair.pk]), reverse("meetings:list", args=[pair.pk])):
        page = client.get(url).content.decode()
        assert figure in page
        assert f'value="{min(held, 2)}" max="2"' in page
    assert selectors.held_meeting_count(match=pair) == held
    assert selectors.pair_progress(match=pair).requirement_met is (held >= 2)


def test_with_meeting_stats_annotates_counts_and_last_date(pair, other_member):
    _hold(pair, 3)
    MeetingFactory(match=pair, status=Meeting.Status.CANCELLED, starts_at=timezone.now() - datetime.timedelta(hours=1))
    latest = pair.meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at").first()

    stats = {match.pk: match for match in selectors.with_meeting_stats(matches=Match.objects.all())}

    assert stats[pair.pk].held_meeting_count == 3
    assert stats[pair.pk].last_held_at == latest.starts_at
    other_pair = other_member.matches_as_mentee.get()
    assert stats[other_pair.pk].held_meeting_count == 0
    assert stats[other_pair.pk].last_held_at is None


def test_the_panel_shows_last_and_next_meeting(pair):
    HeldMeetingFactory(
        match=pair,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(pair.start_date + datetime.timedelta(days=2), datetime.time(9, 30))
        ),
    )
    upcoming = MeetingFactory(match=pair, starts_at=timezone.now() + datetime.timedelta(days=10))

    html = Template('{% include "meetings/_pair_panel.html" %}').render(Context({"match": pair, "user": pair.mentor}))

    assert "1 van 2 afspraken gehouden" in html
    assert reverse("meetings:detail", args=[upcoming.pk]) in html
    assert "geen gepland" not in html


@pytest.mark.parametrize(("viewer", "prompt"), [("mentee", "zet jij als mentee"), ("mentor", "Je mentee zet")])
def test_a_gentle_prompt_when_nothing_is_planned(pair, viewer, prompt):
    user = getattr(pair, viewer)

    html = Template('{% include "meetings/_pair_panel.html" %}').render(Context({"match": pair, "user": user}))

    assert prompt in html
    assert "Plan de kennismakingsafspraak" in html


def test_an_overdue_planned_meeting_asks_to_be_logged(pair):
    MeetingFactory(match=pair, starts_at=timezone.now() - datetime.timedelta(days=1))

    html = Template('{% include "meetings/_pair_panel.html" %}').render(Context({"match": pair, "user": pair.mentee}))

    assert "Heeft deze afspraak plaatsgevonden?" in html
    # One thing at a time: first log the overdue meeting, then plan the next.
    assert "Zullen jullie een datum kiezen" not in html


def test_the_dashboard_shows_progress_and_the_next_meeting(client, pair):
    upcoming = MeetingFactory(match=pair)
    client.force_login(pair.mentor)

    page = client.get(reverse("dashboard")).content.decode()

    assert "Mijn afspraken" in page
    assert "0 van 2 afspraken gehouden" in page
    assert reverse("meetings:detail", args=[upcoming.pk]) in page
    assert reverse("meetings:list", args=[pair.pk]) in page


def test_the_dashboard_has_no_meetings_card_without_a_pair(client, member, coordinator):
    for user in (member, coordinator):
        client.force_login(user)
        assert "Mijn afspraken" not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("status", [Match.Status.COMPLETED, Match.Status.ENDED_EARLY])
def test_an_ended_pairs_page_shows_its_history_but_offers_no_planning(client, pair, status):
    HeldMeetingFactory(match=pair)
    MeetingFactory(match=pair, starts_at=timezone.now() - datetime.timedelta(days=1))
    Match.objects.filter(pk=pair.pk).update(status=status)
    client.force_login(pair.mentor)

    page = client.get(reverse("matching:pair_detail", args=[pair.pk])).content.decode()

    assert "1 van 2 afspraken gehouden" in page
    assert reverse("meetings:create", args=[pair.pk]) not in page
    # Nothing the pair could still act on: no prompt to plan, no request to log the overdue meeting.
    assert "Heeft deze afspraak plaatsgevonden?" not in page
    assert "Zullen jullie een datum kiezen" not in page


def test_progress_counts_held_meetings_and_finds_the_last_and_the_next(pair):
    """One rule for the pair page and the dashboard: cancelled never counts; last held, next planned."""
    now = timezone.now()
    HeldMeetingFactory(match=pair, starts_at=now - datetime.timedelta(days=40), is_introduction=True)
    last = HeldMeetingFactory(match=pair, starts_at=now - datetime.timedelta(days=10))
    MeetingFactory(match=pair, status=Meeting.Status.CANCELLED, starts_at=now - datetime.timedelta(days=5))
    MeetingFactory(match=pair, status=Meeting.Status.CANCELLED, starts_at=now + datetime.timedelta(days=1))
    overdue = MeetingFactory(match=pair, starts_at=now - datetime.timedelta(days=2))
    upcoming = MeetingFactory(match=pair, starts_at=now + datetime.timedelta(days=7))
    MeetingFactory(match=pair, starts_at=now + datetime.timedelta(days=30))

    progress = selectors.pair_progress(match=Match.objects.get(pk=pair.pk))
    ((on_dashboard, dashboard_progress),) = selectors.active_pairs_with_progress(user=pair.mentee)

    assert (progress.held, progress.last_held, progress.next_planned, progress.has_introduction) == (
        2,
        last,
        upcoming,
        True,
    )
    assert on_dashboard == pair and dashboard_progress == progress
    assert selectors.overdue_meetings_of(match=pair) == [overdue]
    assert selectors.active_pairs_with_progress(user=MemberFactory()) == []


def test_the_pair_pages_read_the_pairs_meetings_once(client, pair, django_assert_max_num_queries):
    for days in (-20, -3, 4):
        MeetingFactory(match=pair, starts_at=timezone.now() + datetime.timedelta(days=days))
    client.force_login(pair.mentee)

    # Session, user, profile, the pair and the pair's meetings (the nav knows she has a pair from the pair).
    with django_assert_max_num_queries(5):
        response = client.get(reverse("meetings:list", args=[pair.pk]))
    assert response.status_code == 200 and len(response.context["meetings"]) == 3
