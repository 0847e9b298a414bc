"""Issue 26 §1: the mentee turns her mentorvraag into 1–3 goals; either partner adds and updates; history."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core import disclosure
from goals import selectors, services
from goals.models import MAX_GOAL_LENGTH, MAX_LIVE_GOALS, Goal, GoalEvent

from .conftest import MENTORVRAAG
from .factories import GoalFactory

pytestmark = pytest.mark.django_db

SECRET = "GEHEIM-DOEL-91b2 partner worden"


def _month(offset_days=60) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset_days)).strftime("%Y-%m")


def test_the_first_goal_is_prefilled_from_her_mentorvraag(client, pair, mentee):
    client.force_login(mentee)

    page = client.get(reverse("goals:create", args=[pair.pk])).content.decode()

    assert f"{MENTORVRAAG}</textarea>" in page


def test_without_a_mentorvraag_the_suggestion_is_the_agreements_mission(pair):
    pair.mentee_application.mentoring_question = ""
    pair.mentee_application.save()
    pair.agreement.mission = "Samen werken aan zichtbaarheid\nin de organisatie."
    pair.agreement.save()

    assert selectors.suggestion(match=pair) == "Samen werken aan zichtbaarheid in de organisatie."


def test_the_suggestion_fits_the_goal_length(pair):
    pair.mentee_application.mentoring_question = "woord " * 400
    pair.mentee_application.save()

    assert len(selectors.suggestion(match=pair)) <= MAX_GOAL_LENGTH


def test_the_mentee_sets_a_goal_and_her_mentor_sees_it_on_the_pair_page(client, pair, mentee, mentor):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:create", args=[pair.pk]),
        {"text": SECRET, "next_step": "Gesprek met HR plannen", "target_month": _month()},
    )
    assert response.status_code == 302

    client.force_login(mentor)
    page = client.get(reverse("matching:pair_detail", args=[pair.pk])).content.decode()

    assert SECRET in page and "Gesprek met HR plannen" in page
    goal = Goal.objects.get()
    assert goal.created_by == mentee and goal.state == Goal.State.OPEN
    assert goal.target_month.day == 1


def test_the_mentor_may_update_a_goal_and_the_history_says_who_changed_what(client, pair, mentee, mentor):
    goal = GoalFactory(match=pair, text=SECRET)
    client.force_login(mentor)

    response = client.post(
        reverse("goals:edit", args=[goal.pk]),
        {"text": SECRET, "next_step": "Nieuwe stap", "target_month": _month(90), "state": "on_track"},
    )

    assert response.status_code == 302
    kinds = list(goal.events.order_by("pk").values_list("kind", "actor_id", "state"))
    assert kinds == [
        (GoalEvent.Kind.ADDED, mentee.pk, "open"),
        (GoalEvent.Kind.NEXT_STEP, mentor.pk, ""),
        (GoalEvent.Kind.TARGET, mentor.pk, ""),
        (GoalEvent.Kind.STATE, mentor.pk, "on_track"),
    ]
    page = client.get(reverse("goals:list", args=[pair.pk])).content.decode()
    assert mentor.full_name in page and "Nieuwe stap" in page
    # The history records what changed, never a copy of the text.
    assert all(not event.note_ciphertext for event in goal.events.all())


def test_saving_an_unchanged_goal_adds_no_history(pair, mentor):
    goal = GoalFactory(match=pair)

    services.goal_update(
        goal=goal,
        by=mentor,
        text=goal_text(goal),
        next_step="Met mijn manager bespreken welke rol past.",
        target_month=None,
        state="open",
    )

    assert goal.events.count() == 1


def goal_text(goal):
    return selectors.readable(goal.text_ciphertext)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "x" * (MAX_GOAL_LENGTH + 1), "next_step": "", "target_month": ""}, "text"),
        ({"text": "", "next_step": "stap", "target_month": ""}, "text"),
        ({"text": "Een doel", "next_step": "y" * 301, "target_month": ""}, "next_step"),
        ({"text": "Een doel", "next_step": "", "target_month": "volgend jaar"}, "target_month"),
        ({"text": "Een doel", "next_step": "", "target_month": "1999-01"}, "target_month"),
    ],
)
def test_bad_input_re_renders_with_what_she_typed_and_a_summary(client, pair, mentee, data, field):
    client.force_login(mentee)

    response = client.post(reverse("goals:create", args=[pair.pk]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page
    assert f'href="#div_id_{field}"' in page
    if data["next_step"]:
        assert data["next_step"][:50] in page
    assert Goal.objects.count() == 0


def test_at_most_three_goals_run_at_a_time(client, pair, mentee):
    for _ in range(MAX_LIVE_GOALS):
        GoalFactory(match=pair)
    client.force_login(mentee)

    page = client.get(reverse("goals:list", args=[pair.pk])).content.decode()
    response = client.post(reverse("goals:create", args=[pair.pk]), {"text": "Nog een", "next_step": ""})

    assert reverse("goals:create", args=[pair.pk]) not in page
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert Goal.objects.count() == MAX_LIVE_GOALS


def test_an_achieved_goal_makes_room_for_a_new_one(pair, mentee):
    goals = [GoalFactory(match=pair) for _ in range(MAX_LIVE_GOALS)]
    services.goal_update(goal=goals[0], by=mentee, text="Bereikt", next_step="", target_month=None, state="achieved")

    services.goal_add(match=pair, by=mentee, text="Een nieuw doel")

    assert Goal.objects.filter(match=pair).count() == MAX_LIVE_GOALS + 1


def test_goal_texts_and_notes_are_stored_encrypted(pair, mentee):
    goal = services.goal_add(match=pair, by=mentee, text=SECRET, next_step=SECRET + " stap")
    services.goals_progress_record(match=pair, by=mentee, notes={goal.pk: SECRET + " voortgang"})

    with connection.cursor() as cursor:
        cursor.execute("SELECT text_ciphertext, next_step_ciphertext FROM goals_goal")
        stored = cursor.fetchall()
        cursor.execute("SELECT note_ciphertext FROM goals_goalevent")
        stored += cursor.fetchall()

    assert stored and not any("GEHEIM" in value for row in stored for value in row)
    assert str(goal) == f"goal #{goal.pk}"


def test_the_disclosure_registry_knows_the_goal_fields(pair, mentee, mentor, coordinator, other_member):
    goal = GoalFactory(match=pair)
    fields = disclosure.private_fields()

    for label in ("goals.goal.text_ciphertext", "goals.goal.next_step_ciphertext", "goals.goalevent.note_ciphertext"):
        assert label in fields
    assert disclosure.may_see(mentee, goal, "text_ciphertext")
    assert disclosure.may_see(mentor, goal, "text_ciphertext")
    assert not disclosure.may_see(coordinator, goal, "text_ciphertext")
    assert not disclosure.may_see(other_member, goal, "text_ciphertext")


def test_the_pages_are_dutch_and_english(client, pair, mentee, settings):
    GoalFactory(match=pair)
    client.force_login(mentee)

    dutch = client.get(reverse("goals:list", args=[pair.pk])).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("goals:list", args=[pair.pk])).content.decode()

    assert "Jullie doelen" in dutch and "Geschiedenis" in dutch
    assert "Your goals" in english and "History" in english
