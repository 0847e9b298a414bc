import factory

from goals import crypto
from goals.models import Goal, GoalEvent
from matching.tests.factories import ActiveMatchFactory


class GoalFactory(factory.django.DjangoModelFactory):
    """An open goal of an active pair, added by the mentee; pass text= and next_step= in plain text."""

    class Meta:
        model = Goal
        exclude = ("text", "next_step")
        skip_postgeneration_save = True

    match = factory.SubFactory(ActiveMatchFactory)
    text = "Binnen een jaar een team van vijf mensen leiden."
    next_step = "Met mijn manager bespreken welke rol past."
    text_ciphertext = factory.LazyAttribute(lambda goal: crypto.encrypt(goal.text))
    next_step_ciphertext = factory.LazyAttribute(lambda goal: crypto.encrypt(goal.next_step) if goal.next_step else "")
    created_by = factory.LazyAttribute(lambda goal: goal.match.mentee)

    @factory.post_generation
    def added(goal, create, extracted, **kwargs):
        if create:
            GoalEvent.objects.create(goal=goal, actor=goal.created_by, kind=GoalEvent.Kind.ADDED, state=goal.state)
