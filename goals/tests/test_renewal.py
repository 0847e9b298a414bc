"""Issue 26 §2, R5: at the renewal moment both see the goals and their history; a new term starts with the
goals they chose to carry over, the others closed with the old term."""

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory
from goals import services
from goals.models import Goal, GoalEvent
from goals.selectors import pair_goals
from matching import renewal as matching_renewal
from matching.tests.factories import ActiveMatchFactory

from .factories import GoalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ending_pair():
    """A pair in the last weeks of its year: the renewal question is open."""
    start = timezone.localdate() - relativedelta(months=11, days=20)
    return ActiveMatchFactory(start_date=start, planned_end=start + relativedelta(months=12))


@pytest.fixture
def goals(ending_pair):
    keep = GoalFactory(match=ending_pair, text="Teamleider worden", next_step="Sollicitatie voorbereiden")
    close = GoalFactory(match=ending_pair, text="Spreken op een congres")
    done = GoalFactory(match=ending_pair, text="Netwerk uitbreiden", state=Goal.State.ACHIEVED)
    services.goals_progress_record(match=ending_pair, by=ending_pair.mentor, notes={keep.pk: "Eerste stap gezet"})
    return keep, close, done


def _renew(pair):
    for member in (pair.mentor, pair.mentee):
        matching_renewal.renewal_answer_record(match=pair, member=member, wants_to_continue=True)
    return matching_renewal.match_renew(match=pair, by=CoordinatorFactory())


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_both_see_the_goals_and_their_history_before_they_answer(client, ending_pair, goals, who):
    client.force_login(getattr(ending_pair, who))

    page = client.get(reverse("matching:renewal", args=[ending_pair.pk])).content.decode()

    for text in ("Teamleider worden", "Spreken op een congres", "Netwerk uitbreiden", "Eerste stap gezet"):
        assert text in page
    # Before the question itself.
    assert page.index("Teamleider worden") < page.index('name="wants_to_continue"')
    assert reverse("goals:carry_over", args=[ending_pair.pk]) in page


def test_the_renewal_page_shows_no_goals_to_a_coordinator_or_another_member(client, ending_pair, goals, other_member):
    for viewer in (CoordinatorFactory(), other_member):
        client.force_login(viewer)
        response = client.get(reverse("matching:renewal", args=[ending_pair.pk]))
        assert response.status_code == 404
        assert "Teamleider worden" not in response.content.decode()


def test_a_renewed_term_starts_with_the_goals_they_carried_over(client, ending_pair, goals):
    keep, close, done = goals
    client.force_login(ending_pair.mentee)
    response = client.post(reverse("goals:carry_over", args=[ending_pair.pk]), {"carried": [keep.pk]})
    assert response.status_code == 302

    new_term = _renew(ending_pair)

    (carried,) = pair_goals(match=new_term)
    assert carried.text == "Teamleider worden" and carried.next_step == "Sollicitatie voorbereiden"
    assert carried.goal.carried_from == keep and carried.goal.state == Goal.State.OPEN
    assert [line.event.kind for line in carried.history] == [GoalEvent.Kind.CARRIED_OVER]
    # The old term keeps its goals as history: the carried one says so, the other is closed.
    assert keep.events.filter(kind=GoalEvent.Kind.CARRIED_OVER).exists()
    assert close.events.filter(kind=GoalEvent.Kind.CLOSED).exists()
    assert not done.events.filter(kind__in=[GoalEvent.Kind.CLOSED, GoalEvent.Kind.CARRIED_OVER]).exists()
    # Once more (a second activation signal) carries nothing twice.
    assert services.goals_carry_to_new_term(new_term=new_term) == 0
    assert close.events.filter(kind=GoalEvent.Kind.CLOSED).count() == 1
    # The pair page of the new term shows it to both.
    client.force_login(ending_pair.mentor)
    assert "Teamleider worden" in client.get(reverse("matching:pair_detail", args=[new_term.pk])).content.decode()


def test_by_default_running_goals_are_carried_over(ending_pair, goals):
    new_term = _renew(ending_pair)

    assert sorted(view.text for view in pair_goals(match=new_term)) == ["Spreken op een congres", "Teamleider worden"]


def test_they_may_close_them_all(client, ending_pair, goals):
    client.force_login(ending_pair.mentor)
    client.post(reverse("goals:carry_over", args=[ending_pair.pk]), {})

    new_term = _renew(ending_pair)

    assert pair_goals(match=new_term) == []
