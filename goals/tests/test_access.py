"""Who may see or change a pair's goals: its two partners only (R11, issue 26 §3). Everyone else: login or 404."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from goals import services
from goals.models import Goal
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory

from .factories import GoalFactory

pytestmark = pytest.mark.django_db

SECRET = "GEHEIM-DOEL-7f3a: leidinggeven aan een team"


@pytest.fixture
def goal(pair):
    return GoalFactory(match=pair, text=SECRET)


@pytest.fixture
def ex_partner(pair):
    """The mentee's mentor of an earlier pair that ended early: she is no partner of this one."""
    earlier = ActiveMatchFactory(mentee=pair.mentee, cycle=pair.cycle, status=Match.Status.ENDED_EARLY)
    earlier.ended_on = timezone.localdate()
    earlier.save()
    return earlier.mentor


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def _viewer(name, request):
    if name == "anonymous":
        return None
    fixture = {
        "mentee": "mentee",
        "mentor": "mentor",
        "other member": "other_member",
        "coordinator": "coordinator",
        "ex-partner": "ex_partner",
        "admin": "superuser",
    }[name]
    return request.getfixturevalue(fixture)


VIEWERS = ["anonymous", "other member", "coordinator", "admin", "ex-partner", "mentee", "mentor"]
EXPECTED = {
    "anonymous": 302,
    "other member": 404,
    "coordinator": 404,
    "admin": 404,
    "ex-partner": 404,
    "mentee": 200,
    "mentor": 200,
}
GET_PAGES = [("goals:list", "match"), ("goals:create", "match"), ("goals:edit", "goal")]


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("url_name", "target"), GET_PAGES)
def test_every_goal_page_is_for_the_pair_only(client, request, goal, viewer, url_name, target):
    user = _viewer(viewer, request)
    if user:
        client.force_login(user)
    pk = goal.match_id if target == "match" else goal.pk

    response = client.get(reverse(url_name, args=[pk]))

    assert response.status_code == EXPECTED[viewer]
    if viewer == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    if response.status_code != 200:
        assert SECRET not in response.content.decode()
    elif url_name != "goals:create":
        assert SECRET in response.content.decode()


@pytest.mark.parametrize("viewer", VIEWERS)
def test_only_the_partners_can_change_a_goal(client, request, goal, viewer):
    user = _viewer(viewer, request)
    if user:
        client.force_login(user)
    data = {"text": "Overgenomen!", "next_step": "", "target_month": "", "state": "achieved"}

    edit = client.post(reverse("goals:edit", args=[goal.pk]), data)
    add = client.post(reverse("goals:create", args=[goal.match_id]), data)
    carry = client.post(reverse("goals:carry_over", args=[goal.match_id]), {"carried": []})

    allowed = EXPECTED[viewer] == 200
    for response in (edit, add, carry):
        assert response.status_code == (302 if allowed or viewer == "anonymous" else 404)
    goal.refresh_from_db()
    assert (goal.state == Goal.State.ACHIEVED) is allowed
    assert Goal.objects.count() == (2 if allowed else 1)


def test_after_an_early_end_only_the_mentee_keeps_the_goals(client, pair, goal):
    pair.status = Match.Status.ENDED_EARLY
    pair.ended_on = timezone.localdate()
    pair.save()

    client.force_login(pair.mentor)
    assert client.get(reverse("goals:list", args=[pair.pk])).status_code == 404
    page = client.get(reverse("matching:pair_detail", args=[pair.pk])).content.decode()
    assert SECRET not in page

    client.force_login(pair.mentee)
    page = client.get(reverse("goals:list", args=[pair.pk])).content.decode()
    assert SECRET in page
    # Read-only now: no more changes to an ended pair's goals.
    assert reverse("goals:edit", args=[goal.pk]) not in page
    with pytest.raises(ValidationError, match="loopt niet meer"):
        services.goal_update(goal=goal, by=pair.mentee, text="x", next_step="", target_month=None, state="open")


@pytest.mark.parametrize("bad_pk", ["0", "999999", "99999999999999999999"])
def test_unknown_goals_are_404(client, mentee, bad_pk):
    client.force_login(mentee)
    assert client.get(f"/doelen/{bad_pk}/wijzigen/").status_code == 404
    assert client.get(f"/doelen/paar/{bad_pk}/").status_code == 404
