import io

import pytest

from accounts import demo as accounts_demo
from evaluations import demo
from evaluations.models import EvaluationRound, Invitation
from matching.tests.factories import ActiveMatchFactory

pytestmark = pytest.mark.django_db


def test_without_a_cycle_the_demo_does_nothing():
    demo.load(members=accounts_demo.load(), stdout=io.StringIO())

    assert not EvaluationRound.objects.exists()


def test_the_demo_cycle_gets_one_open_round_with_questions_and_invitations_however_often_it_runs():
    members = accounts_demo.load()
    match = ActiveMatchFactory(mentor=members["mentor"], mentee=members["mentee"])

    demo.load(members=members, stdout=io.StringIO())
    demo.load(members=members, stdout=io.StringIO())

    evaluation_round = EvaluationRound.objects.get()
    assert evaluation_round.cycle == match.cycle
    assert evaluation_round.questions.count() >= 6
    assert set(Invitation.objects.values_list("user", "role")) == {
        (members["mentor"].pk, "mentor"),
        (members["mentee"].pk, "mentee"),
    }
