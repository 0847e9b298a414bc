"""Coordinators see per pair how many meetings were held and when, never what was discussed (R11)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.tests.factories import ActiveMatchFactory
from meetings import services
from meetings.models import Meeting, MentorTopic

from .factories import HeldMeetingFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:meetings_pairmeetingstatistics_changelist"


@pytest.fixture
def pairs(db):
    today = timezone.localdate()
    quiet = ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=7))
    busy = ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=7))
    new = ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=2))
    meeting = HeldMeetingFactory(
        match=busy,
        starts_at=timezone.now() - datetime.timedelta(weeks=5),
        location="Geheime plek",
        topics=[MentorTopic.MISSION],
    )
    services.private_note_save(meeting=meeting, author=busy.mentee, text="Alleen voor mij")
    return {"quiet": quiet, "busy": busy, "new": new}


def test_coordinator_sees_counts_and_last_date_per_pair(client, coordinator, pairs):
    client.force_login(coordinator)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    rows = {match.pk: match for match in response.context["cl"].result_list}
    assert rows[pairs["busy"].pk].held_meeting_count == 1
    assert rows[pairs["quiet"].pk].held_meeting_count == 0
    assert rows[pairs["quiet"].pk].last_held_at is None
    page = response.content.decode()
    assert "Geheime plek" not in page
    assert "Alleen voor mij" not in page


def test_the_six_weeks_filter_finds_pairs_that_have_not_met(client, coordinator, pairs):
    client.force_login(coordinator)

    response = client.get(reverse(CHANGELIST), {"geen_afspraak": "6w"})

    assert [match.pk for match in response.context["cl"].result_list] == [pairs["quiet"].pk]
    # R11: the filtered list holds counts and dates only, never a meeting's content or a note.
    page = response.content.decode()
    for content in ("Geheime plek", "Alleen voor mij", "Missie", f"{MentorTopic.MISSION}"):
        assert content not in page


def test_the_six_weeks_filter_counts_only_held_meetings(client, coordinator, pairs):
    # A planned or cancelled meeting is no meeting held: the pair still needs a nudge.
    HeldMeetingFactory(match=pairs["quiet"], status=Meeting.Status.PLANNED)
    HeldMeetingFactory(match=pairs["quiet"], status=Meeting.Status.CANCELLED)
    client.force_login(coordinator)

    response = client.get(reverse(CHANGELIST), {"geen_afspraak": "6w"})

    assert [match.pk for match in response.context["cl"].result_list] == [pairs["quiet"].pk]


def test_the_statistics_are_read_only_without_a_detail_page(client, coordinator, pairs):
    client.force_login(coordinator)

    detail = client.get(reverse("admin:meetings_pairmeetingstatistics_change", args=[pairs["busy"].pk]))

    assert detail.status_code in (302, 403)
    assert client.get(reverse("admin:meetings_pairmeetingstatistics_add")).status_code == 403


def test_members_cannot_reach_the_statistics(client, pairs):
    client.force_login(pairs["busy"].mentee)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
