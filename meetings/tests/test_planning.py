"""Planning, changing, logging and cancelling meetings, and what bad input does (nothing lost, message at the field)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from meetings import services
from meetings.models import Meeting, MentorTopic

from .factories import HeldMeetingFactory, MeetingFactory, local

pytestmark = pytest.mark.django_db


def _form(**overrides):
    day = timezone.localdate() + datetime.timedelta(days=5)
    data = {
        "date": day.isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "mode": "virtual",
        "location": "",
        "video_url": "https://teams.example.org/ons-gesprek",
        "is_introduction": "on",
        "topics": [MentorTopic.MISSION, MentorTopic.ENGAGEMENT],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_mentee_plans_the_introductory_meeting(client, pair):
    client.force_login(pair.mentee)

    response = client.post(reverse("meetings:create", args=[pair.pk]), _form())

    meeting = pair.meetings.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.is_introduction  # R8
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.duration_minutes == 90
    assert timezone.localtime(meeting.starts_at).time() == datetime.time(10, 0)
    assert meeting.mode == Meeting.Mode.VIRTUAL  # R9
    assert meeting.topics == ["mission", "engagement"]
    assert meeting.created_by == pair.mentee


def test_the_plan_form_suggests_the_introductory_meeting_only_for_the_first(client, pair):
    client.force_login(pair.mentee)
    first = client.get(reverse("meetings:create", args=[pair.pk]))
    MeetingFactory(match=pair, is_introduction=True)
    later = client.get(reverse("meetings:create", args=[pair.pk]))

    assert first.context["form"].initial["is_introduction"] is True
    assert "kennismakingsafspraak" in first.content.decode()
    assert later.context["form"].initial["is_introduction"] is False


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2000-01-01"}, "date", "Jullie zijn gekoppeld op"),
        ({"end_time": "10:00"}, "end_time", "De eindtijd moet na de begintijd liggen."),
        ({"end_time": "09:00"}, "end_time", "De eindtijd moet na de begintijd liggen."),
        ({"start_time": "08:00", "end_time": "16:01"}, "end_time", "Een afspraak duurt maximaal 8 uur."),
        ({"video_url": "geen link"}, "video_url", "geldige URL"),
        ({"date": "31-02-2027"}, "date", "geldige datum"),
        ({"start_time": "25:00"}, "start_time", "geldige tijd"),
        ({"mode": "telepathie"}, "mode", "geldige keuze"),
        ({"topics": ["roddelen"]}, "topics", "geldige keuze"),
    ],
)
def test_bad_input_shows_a_message_at_the_field_and_keeps_what_was_typed(client, pair, overrides, field, message):
    client.force_login(pair.mentee)
    data = _form(location="Kantoor Noord", **overrides)

    response = client.post(reverse("meetings:create", args=[pair.pk]), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert 'value="Kantoor Noord"' in response.content.decode()
    assert not pair.meetings.exists()


def test_only_one_introductory_meeting_per_pair(client, pair):
    MeetingFactory(match=pair, is_introduction=True, starts_at=timezone.now() + datetime.timedelta(days=1))
    client.force_login(pair.mentor)

    response = client.post(reverse("meetings:create", args=[pair.pk]), _form())

    assert response.status_code == 200
    assert response.context["form"].errors["is_introduction"] == ["Jullie hebben al een kennismakingsafspraak."]


def test_the_introductory_meeting_is_the_first_one(pair):
    MeetingFactory(match=pair, starts_at=timezone.now() + datetime.timedelta(days=1))

    with pytest.raises(ValidationError) as error:
        services.meeting_plan(
            match=pair,
            by=pair.mentee,
            starts_at=timezone.now() + datetime.timedelta(days=3),
            duration_minutes=60,
            is_introduction=True,
        )

    assert "is_introduction" in error.value.error_dict


def test_a_cancelled_introduction_can_be_replaced(pair):
    MeetingFactory(match=pair, is_introduction=True, status=Meeting.Status.CANCELLED)

    meeting = services.meeting_plan(
        match=pair,
        by=pair.mentee,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        duration_minutes=60,
        is_introduction=True,
    )

    assert meeting.is_introduction


@pytest.mark.parametrize("minutes", [0, 481])
def test_the_service_refuses_durations_out_of_range(pair, minutes):
    with pytest.raises(ValidationError) as error:
        services.meeting_plan(match=pair, by=pair.mentee, starts_at=timezone.now(), duration_minutes=minutes)

    assert "duration_minutes" in error.value.error_dict


def test_the_partner_edits_a_meeting_the_other_planned(client, pair):
    meeting = MeetingFactory(match=pair, created_by=pair.mentee, is_introduction=True)
    client.force_login(pair.mentor)

    form = client.get(reverse("meetings:edit", args=[meeting.pk])).context["form"]
    assert form.initial["location"] == "Kantoor Utrecht"
    response = client.post(
        reverse("meetings:edit", args=[meeting.pk]), _form(mode="in_person", location="Lunchroom", video_url="")
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.location == "Lunchroom"
    assert meeting.updated_by == pair.mentor
    assert meeting.created_by == pair.mentee
    assert meeting.sequence == 1


def test_a_failed_edit_changes_nothing_and_keeps_the_input(client, pair):
    meeting = MeetingFactory(match=pair)
    client.force_login(pair.mentor)

    response = client.post(reverse("meetings:edit", args=[meeting.pk]), _form(location="Nieuw", end_time="09:00"))

    assert response.status_code == 200
    assert 'value="Nieuw"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.location == "Kantoor Utrecht"


def test_a_meeting_cannot_be_marked_held_before_it_starts(client, pair):
    meeting = MeetingFactory(match=pair)
    client.force_login(pair.mentor)

    response = client.post(reverse("meetings:mark_held", args=[meeting.pk]), follow=True)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert "zodra die begonnen is" in response.content.decode()


def test_marking_held_once_the_meeting_started(client, pair):
    meeting = MeetingFactory(match=pair)
    client.force_login(pair.mentor)

    with time_machine.travel(meeting.starts_at + datetime.timedelta(minutes=30)):
        client.post(reverse("meetings:mark_held", args=[meeting.pk]))

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.status_changed_by == pair.mentor


def test_held_and_cancelled_meetings_cannot_be_cancelled_or_held_again(pair):
    held = HeldMeetingFactory(match=pair)
    cancelled = MeetingFactory(match=pair, status=Meeting.Status.CANCELLED)

    for action in (services.meeting_cancel, services.meeting_mark_held):
        for meeting in (held, cancelled):
            with pytest.raises(ValidationError):
                action(meeting=meeting, by=pair.mentee)
    with pytest.raises(ValidationError):
        services.meeting_update(meeting=cancelled, by=pair.mentee, location="Ergens")


def test_someone_outside_the_pair_is_refused_by_every_service_with_permission_denied(pair, other_member, coordinator):
    """PermissionDenied, never the built-in PermissionError: a view that forgets its check gives 403, not 500."""
    meeting = MeetingFactory(match=pair)
    for outsider in (other_member, coordinator):
        with pytest.raises(PermissionDenied):
            services.meeting_plan(match=pair, by=outsider, starts_at=meeting.starts_at, duration_minutes=60)
        with pytest.raises(PermissionDenied):
            services.meeting_update(meeting=meeting, by=outsider, location="Ergens")
        for action in (services.meeting_cancel, services.meeting_mark_held):
            with pytest.raises(PermissionDenied):
                action(meeting=meeting, by=outsider)
        with pytest.raises(PermissionDenied):
            services.private_note_save(meeting=meeting, author=outsider, text="Gelezen?")
    location = meeting.location
    meeting.refresh_from_db()
    assert (meeting.status, meeting.location) == (Meeting.Status.PLANNED, location)
    assert Meeting.objects.filter(match=pair).count() == 1
    assert not meeting.private_notes.exists()


def test_a_pair_that_ended_cannot_plan_any_more(client, pair):
    meeting = MeetingFactory(match=pair)
    Match.objects.filter(pk=pair.pk).update(status=Match.Status.COMPLETED)
    client.force_login(pair.mentee)

    response = client.post(reverse("meetings:create", args=[pair.pk]), _form(), follow=True)
    edit = client.get(reverse("meetings:edit", args=[meeting.pk]))

    assert not pair.meetings.exclude(pk=meeting.pk).exists()
    assert "niet meer actief" in response.content.decode()
    assert edit.status_code == 302
    # The history stays readable for the pair.
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_times_are_entered_in_amsterdam_time_across_daylight_saving(pair):
    Match.objects.filter(pk=pair.pk).update(start_date=datetime.date(2026, 1, 1))
    pair.refresh_from_db()
    winter = services.meeting_plan(match=pair, by=pair.mentee, starts_at=local(2026, 3, 20, 10), duration_minutes=60)
    summer = services.meeting_plan(match=pair, by=pair.mentee, starts_at=local(2026, 4, 3, 10), duration_minutes=60)

    assert winter.starts_at.astimezone(datetime.UTC).hour == 9
    assert summer.starts_at.astimezone(datetime.UTC).hour == 8


def test_the_cancel_page_asks_first_and_cancelling_keeps_the_entry(client, pair):
    meeting = MeetingFactory(match=pair)
    client.force_login(pair.mentee)

    confirm = client.get(reverse("meetings:cancel", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert "Ja, afspraak annuleren" in confirm.content.decode()

    client.post(reverse("meetings:cancel", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.status_changed_by == pair.mentee


def test_a_held_meeting_cannot_be_moved_into_the_future(client, pair):
    meeting = HeldMeetingFactory(match=pair)
    client.force_login(pair.mentee)

    response = client.post(reverse("meetings:edit", args=[meeting.pk]), _form(is_introduction=None))

    assert response.context["form"].errors["date"] == [
        "Deze afspraak is gehouden, dus hij kan niet in de toekomst liggen."
    ]
    meeting.refresh_from_db()
    assert meeting.starts_at < timezone.now()


def test_topics_of_a_held_meeting_can_be_logged_afterwards(client, pair):
    meeting = HeldMeetingFactory(match=pair, starts_at=local(2026, 11, 2, 9), location="")
    Match.objects.filter(pk=pair.pk).update(start_date=datetime.date(2026, 1, 1))
    client.force_login(pair.mentor)
    data = _form(
        date="2026-11-02",
        start_time="09:00",
        end_time="10:00",
        topics=[MentorTopic.NETWORKING, MentorTopic.OPPORTUNITIES],
    )

    with time_machine.travel(local(2026, 11, 21, 12)):
        response = client.post(reverse("meetings:edit", args=[meeting.pk]), data)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.topics == ["networking", "opportunities"]
    assert meeting.status == Meeting.Status.HELD


def test_every_mistake_is_shown_at_once(client, pair):
    client.force_login(pair.mentee)

    response = client.post(reverse("meetings:create", args=[pair.pk]), _form(date="2000-01-01", end_time="09:00"))

    errors = response.context["form"].errors
    assert "date" in errors
    assert "end_time" in errors


@pytest.mark.parametrize("status", [Match.Status.COMPLETED, Match.Status.ENDED_EARLY])
def test_only_an_active_pair_plans_changes_logs_or_cancels(pair, status):
    planned = HeldMeetingFactory(match=pair, status=Meeting.Status.PLANNED)
    Match.objects.filter(pk=pair.pk).update(status=status)
    pair.refresh_from_db()
    planned.refresh_from_db()

    attempts = [
        lambda: services.meeting_plan(
            match=pair, by=pair.mentee, starts_at=timezone.now() + datetime.timedelta(days=2), duration_minutes=60
        ),
        lambda: services.meeting_update(meeting=planned, by=pair.mentee, location="Elders"),
        lambda: services.meeting_mark_held(meeting=planned, by=pair.mentor),
        lambda: services.meeting_cancel(meeting=planned, by=pair.mentor),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="niet meer actief"):
            attempt()

    planned.refresh_from_db()
    assert planned.status == Meeting.Status.PLANNED
    assert pair.meetings.count() == 1


@pytest.mark.parametrize("status", [Match.Status.COMPLETED, Match.Status.ENDED_EARLY])
def test_an_ended_pair_is_sent_back_from_every_change_page(client, pair, status):
    planned = HeldMeetingFactory(match=pair, status=Meeting.Status.PLANNED)
    Match.objects.filter(pk=pair.pk).update(status=status)
    client.force_login(pair.mentee)

    create = client.get(reverse("meetings:create", args=[pair.pk]), follow=True)
    for url_name in ("meetings:mark_held", "meetings:cancel"):
        client.post(reverse(url_name, args=[planned.pk]))
    edit = client.post(reverse("meetings:edit", args=[planned.pk]), _form(is_introduction=None))
    detail = client.get(reverse("meetings:detail", args=[planned.pk])).content.decode()

    assert "niet meer actief" in create.content.decode()
    assert edit.status_code == 302
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.PLANNED
    assert reverse("meetings:edit", args=[planned.pk]) not in detail
    assert "Markeren als gehouden" not in detail


def test_a_proposed_pair_has_no_meeting_pages_yet(client, pair):
    # R8: the pair sees each other only once the match is active.
    Match.objects.filter(pk=pair.pk).update(status=Match.Status.PROPOSED)
    pair.refresh_from_db()
    client.force_login(pair.mentee)

    assert client.get(reverse("meetings:create", args=[pair.pk])).status_code == 404
    assert client.post(reverse("meetings:create", args=[pair.pk]), _form()).status_code == 404
    with pytest.raises(ValidationError):
        services.meeting_plan(
            match=pair, by=pair.mentee, starts_at=timezone.now() + datetime.timedelta(days=2), duration_minutes=60
        )
    assert not pair.meetings.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"date": "0001-01-01", "start_time": "00:10", "end_time": "00:40"},
        {"date": "9999-12-31", "start_time": "23:00", "end_time": "23:50"},
        {"date": "2027-01-01\x00", "start_time": "10:00", "end_time": "11:00"},
        {"topics": MentorTopic.MISSION, "is_introduction": "xyz", "location": "x" * 5000},
    ],
)
def test_hand_made_posts_get_messages_not_errors(client, pair, data):
    client.force_login(pair.mentee)

    response = client.post(reverse("meetings:create", args=[pair.pk]), {"mode": "in_person", **data})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not pair.meetings.exists()


def test_a_meeting_more_than_two_years_ahead_is_refused_at_the_date(client, pair):
    client.force_login(pair.mentee)
    far = timezone.localdate() + datetime.timedelta(days=2 * 365 + 1)

    response = client.post(reverse("meetings:create", args=[pair.pk]), _form(date=far.isoformat()))

    assert response.context["form"].errors["date"] == ["Een afspraak kun je maximaal twee jaar vooruit plannen."]
    with pytest.raises(ValidationError) as error:
        services.meeting_plan(
            match=pair, by=pair.mentee, starts_at=timezone.now() + datetime.timedelta(days=800), duration_minutes=60
        )
    assert "starts_at" in error.value.error_dict


def test_the_cancel_page_does_not_offer_to_cancel_a_held_meeting(client, pair):
    held = HeldMeetingFactory(match=pair)
    client.force_login(pair.mentee)

    response = client.get(reverse("meetings:cancel", args=[held.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("meetings:detail", args=[held.pk])
    assert "Ja, afspraak annuleren" not in response.content.decode()
    assert "Alleen een geplande afspraak kun je annuleren." in response.content.decode()
