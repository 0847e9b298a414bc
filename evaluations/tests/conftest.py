import pytest

from evaluations import services
from evaluations.tests.factories import EvaluationRoundFactory


@pytest.fixture
def evaluation_round(db):
    """An open round for mentors and mentees with the programme's default questions."""
    evaluation_round = EvaluationRoundFactory()
    services.round_add_default_questions(round=evaluation_round)
    return evaluation_round
