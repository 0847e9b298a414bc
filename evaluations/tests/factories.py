import datetime

import factory
from django.utils import timezone

from evaluations import services
from evaluations.models import EvaluationRound, Invitation, Question, Role
from matching.models import Cycle
from matching.tests.factories import ActiveMatchFactory, CycleFactory


class EvaluationRoundFactory(factory.django.DjangoModelFactory):
    """A round for both roles that opened yesterday and is open for two more weeks."""

    class Meta:
        model = EvaluationRound

    cycle = factory.SubFactory(CycleFactory, status=Cycle.Status.RUNNING)
    name = factory.Sequence(lambda n: f"Tussentijdse evaluatie {n}")
    kind = EvaluationRound.Kind.INTERIM
    audience = EvaluationRound.Audience.BOTH
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    round = factory.SubFactory(EvaluationRoundFactory)
    order = factory.Sequence(lambda n: n)
    kind = Question.Kind.SCALE
    text = factory.Sequence(lambda n: f"Vraag {n}")
    text_en = factory.Sequence(lambda n: f"Question {n}")
    scale_low = "slecht"
    scale_high = "uitstekend"


def answers_for(evaluation_round, role=Role.MENTEE, *, scale=4, choice=1, text="Heel waardevol."):
    """A complete set of answers, keyed like the form's fields, for every question asked of the role."""
    answers = {}
    for question in services.questions_for(round=evaluation_round, role=role):
        key = f"q_{question.pk}"
        if question.kind == Question.Kind.SCALE:
            answers[key] = str(scale)
        elif question.kind == Question.Kind.SINGLE_CHOICE:
            answers[key] = str(choice)
        elif question.kind == Question.Kind.MULTIPLE_CHOICE:
            answers[key] = ["1"]
        else:
            answers[key] = text
    return answers


def invitation_for_new_pair(evaluation_round, role=Role.MENTEE) -> Invitation:
    """An active pair in the round's cycle, and the invitation of its mentee (or mentor)."""
    match = ActiveMatchFactory(cycle=evaluation_round.cycle)
    user = match.mentee if role == Role.MENTEE else match.mentor
    return Invitation.objects.create(round=evaluation_round, user=user, role=role)


def add_responses(evaluation_round, role, count, **answer_kwargs) -> None:
    """Submit `count` responses through the service, as `count` different participants would."""
    for _n in range(count):
        invitation = invitation_for_new_pair(evaluation_round, role)
        services.response_submit(
            invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round, role, **answer_kwargs)
        )


def publish(evaluation_round) -> int:
    """Publish the round's sealed answers as the nightly job would, the day after it closed."""
    day = evaluation_round.closes_on + datetime.timedelta(days=1)
    return services.round_publish(round=evaluation_round, day=day)
