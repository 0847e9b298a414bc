"""Issue 26 §4: the signed one-click answers to "Is jullie afspraak doorgegaan?".

A link opens a confirmation page for the member it was sent to, logged in; GET never changes the meeting,
another member and an expired or tampered link are refused.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from meetings import selectors
from meetings.answers import MeetingAnswer, answer_token
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(pair):
    """Planned by the mentee, yesterday, still not logged."""
    return MeetingFactory(
        match=pair,
        starts_at=timezone.now().replace(microsecond=0) - datetime.timedelta(days=1),
        created_at=timezone.now() - datetime.timedelta(days=8),
        created_by=pair.mentee,
    )


def url(meeting, user, answer):
    return reverse("meetings:answer", args=[answer_token(meeting_id=meeting.pk, user_id=user.pk, answer=answer)])


def status_of(meeting):
    meeting.refresh_from_db()
    return meeting.status


@pytest.mark.parametrize("answer", list(MeetingAnswer))
def test_get_shows_a_confirmation_form_and_changes_nothing(client, meeting, mentee, answer):
    client.force_login(mentee)
    page = client.get(url(meeting, mentee, answer))
    assert page.status_code == 200
    assert b'method="post"' in page.content
    assert status_of(meeting) == Meeting.Status.PLANNED
    assert client.head(url(meeting, mentee, answer)).status_code == 200
    assert status_of(meeting) == Meeting.Status.PLANNED


def test_held_answer_marks_the_meeting_held_and_counts_for_progress(client, meeting, mentee, pair):
    assert selectors.pair_progress(match=pair).held == 0
    client.force_login(mentee)
    response = client.post(url(meeting, mentee, MeetingAnswer.HELD))
    assert response.status_code == 302
    assert status_of(meeting) == Meeting.Status.HELD
    pair.__dict__.pop("_pair_meetings", None)
    assert selectors.pair_progress(match=pair).held == 1
    # A second click changes nothing more and does not fail.
    assert client.post(url(meeting, mentee, MeetingAnswer.HELD)).status_code == 200
    assert status_of(meeting) == Meeting.Status.HELD


def test_not_held_answer_cancels_it(client, meeting, mentee):
    client.force_login(mentee)
    client.post(url(meeting, mentee, MeetingAnswer.NOT_HELD))
    assert status_of(meeting) == Meeting.Status.CANCELLED


def test_moved_answer_leads_to_the_edit_form_without_changing_the_meeting(client, meeting, mentee):
    client.force_login(mentee)
    response = client.post(url(meeting, mentee, MeetingAnswer.MOVED))
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:edit", args=[meeting.pk])
    assert status_of(meeting) == Meeting.Status.PLANNED


def test_a_link_alone_changes_nothing_without_her_session(client, meeting, mentee):
    for method in (client.get, client.post):
        response = method(url(meeting, mentee, MeetingAnswer.HELD))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert status_of(meeting) == Meeting.Status.PLANNED


@pytest.mark.parametrize("who", ["mentor", "other_member", "coordinator"])
def test_the_link_refuses_another_member(client, meeting, mentee, who, request):
    """Her link, opened by someone else (her partner included): 404, nothing changes."""
    someone = request.getfixturevalue(who)
    client.force_login(someone)
    for method in (client.get, client.post):
        assert method(url(meeting, mentee, MeetingAnswer.HELD)).status_code == 404
    # Nor does a link signed for another member open someone else's meeting.
    client.force_login(request.getfixturevalue("other_member"))
    other = request.getfixturevalue("other_member")
    assert client.post(url(meeting, other, MeetingAnswer.HELD)).status_code == 404
    assert status_of(meeting) == Meeting.Status.PLANNED


def test_an_expired_link_is_refused(client, meeting, mentee, settings):
    settings.MEETING_ANSWER_LINK_DAYS = 14
    link = url(meeting, mentee, MeetingAnswer.HELD)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=14, minutes=1)):
        client.force_login(mentee)
        assert client.get(link).status_code == 410
        response = client.post(link)
        assert response.status_code == 410
    assert status_of(meeting) == Meeting.Status.PLANNED
    with time_machine.travel(timezone.now() + datetime.timedelta(days=13)):
        client.force_login(mentee)
        assert client.get(link).status_code == 200


@pytest.mark.parametrize("tamper", ["x", "drop-last", "other-salt"])
def test_a_tampered_link_is_a_404(client, meeting, mentee, tamper):
    from django.core import signing

    token = answer_token(meeting_id=meeting.pk, user_id=mentee.pk, answer=MeetingAnswer.HELD)
    token = {
        "x": token + "x",
        "drop-last": token[:-1],
        "other-salt": signing.dumps({"m": meeting.pk, "u": mentee.pk, "a": "held"}, salt="other"),
    }[tamper]
    client.force_login(mentee)
    assert client.post(reverse("meetings:answer", args=[token])).status_code == 404
    assert status_of(meeting) == Meeting.Status.PLANNED
