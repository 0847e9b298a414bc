"""Issue 26 §2: marking a meeting held offers the MENTOR topics and a line of progress per running goal."""

import re

import pytest
from django.urls import reverse

from goals.models import GoalEvent
from goals.selectors import pair_goals
from goals.tests.factories import GoalFactory
from meetings.answers import MeetingAnswer, answer_token
from meetings.models import Meeting

from .factories import HeldMeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(pair):
    # Started three days ago, still planned: it can be marked held.
    return HeldMeetingFactory(match=pair, status=Meeting.Status.PLANNED, status_changed_by=None, topics=["mission"])


@pytest.fixture
def goals(pair):
    return [GoalFactory(match=pair, text="Doel een"), GoalFactory(match=pair, text="Doel twee")]


def test_the_detail_page_offers_topics_and_a_line_per_running_goal(client, pair, meeting, goals):
    GoalFactory(match=pair, text="Al bereikt", state="achieved")
    client.force_login(pair.mentor)

    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert f'name="goal_{goals[0].pk}"' in page and f'name="goal_{goals[1].pk}"' in page
    assert "Al bereikt" not in page
    (mission,) = re.findall(r'<input[^>]*name="topics"[^>]*value="mission"[^>]*>', page)
    assert "checked" in mission


def test_the_mentor_marks_held_with_topics_and_progress(client, pair, meeting, goals):
    client.force_login(pair.mentor)

    response = client.post(
        reverse("meetings:mark_held", args=[meeting.pk]),
        {"checkin": "True", "topics": ["mission", "networking"], f"goal_{goals[0].pk}": "Eerste gesprek met HR gehad"},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_held and meeting.topics == ["mission", "networking"]
    progress = GoalEvent.objects.get(kind=GoalEvent.Kind.PROGRESS)
    assert progress.goal == goals[0] and progress.actor == pair.mentor
    assert progress.meeting_starts_at == meeting.starts_at
    # Both partners read it in the goal's history.
    client.force_login(pair.mentee)
    assert "Eerste gesprek met HR gehad" in client.get(reverse("goals:list", args=[pair.pk])).content.decode()
    (first, second) = pair_goals(match=pair)
    assert [line.note for line in first.history if line.note] == ["Eerste gesprek met HR gehad"]


@pytest.mark.parametrize("note", ["x" * 201, "twee\nregels"])
def test_a_bad_note_re_renders_with_what_she_typed_and_marks_nothing(client, pair, meeting, goals, note):
    client.force_login(pair.mentee)

    response = client.post(
        reverse("meetings:mark_held", args=[meeting.pk]),
        {"checkin": "True", "topics": ["trust"], f"goal_{goals[1].pk}": note},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page and f"#div_id_goal_{goals[1].pk}" in page
    meeting.refresh_from_db()
    assert meeting.is_planned
    assert not GoalEvent.objects.filter(kind=GoalEvent.Kind.PROGRESS).exists()


def test_the_plain_held_button_still_works_without_the_check_in(client, pair, meeting, goals):
    client.force_login(pair.mentee)

    client.post(reverse("meetings:mark_held", args=[meeting.pk]))

    meeting.refresh_from_db()
    assert meeting.is_held and meeting.topics == ["mission"]


def test_the_did_it_happen_link_offers_the_same_check_in(client, pair, meeting, goals):
    token = answer_token(meeting_id=meeting.pk, user_id=pair.mentee.pk, answer=MeetingAnswer.HELD)
    client.force_login(pair.mentee)
    url = reverse("meetings:answer", args=[token])

    assert f'name="goal_{goals[0].pk}"' in client.get(url).content.decode()
    client.post(url, {"checkin": "True", "topics": [], f"goal_{goals[0].pk}": "Stap gezet"})

    meeting.refresh_from_db()
    assert meeting.is_held
    assert GoalEvent.objects.get(kind=GoalEvent.Kind.PROGRESS).goal == goals[0]


def test_no_goal_lines_for_a_pair_without_goals(client, pair, meeting):
    client.force_login(pair.mentor)

    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert 'name="checkin"' in page and 'name="goal_' not in page
