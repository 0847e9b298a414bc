"""Demo evaluation round for `make run`: an open interim round for the demo cycle. Idempotent."""

import datetime

from django.utils import timezone

from matching.models import Cycle, Match

from . import services
from .models import EvaluationRound, round_has_answers

DEMO_ROUND_NAME = "Tussentijdse evaluatie"


def _demo_cycle():
    # The cycle with running pairs if there is one (the matching demo may create it), else the newest.
    with_pairs = (
        Cycle.objects.filter(matches__status__in=[Match.Status.ACTIVE, Match.Status.COMPLETED])
        .order_by("-planned_start")
        .first()
    )
    return with_pairs or Cycle.objects.order_by("-planned_start").first()


def load(*, members, stdout):
    cycle = _demo_cycle()
    if cycle is None:
        return
    today = timezone.localdate()
    evaluation_round, created = EvaluationRound.objects.get_or_create(
        cycle=cycle,
        name=DEMO_ROUND_NAME,
        defaults={
            "kind": EvaluationRound.Kind.INTERIM,
            "audience": EvaluationRound.Audience.BOTH,
            "opens_on": today - datetime.timedelta(days=3),
            "closes_on": today + datetime.timedelta(days=25),
        },
    )
    if not created and not evaluation_round.is_open_on(today) and not round_has_answers(evaluation_round.pk):
        # Keep the demo round open on a later `make run`, as long as nobody answered yet.
        evaluation_round.opens_on = today - datetime.timedelta(days=3)
        evaluation_round.closes_on = today + datetime.timedelta(days=25)
        evaluation_round.full_clean()
        evaluation_round.save(update_fields=["opens_on", "closes_on"])
    services.round_add_default_questions(round=evaluation_round)
    invited = services.invitations_ensure(round=evaluation_round)
    stdout.write(f"Evaluaties: ronde '{evaluation_round.name}' voor cyclus {cycle} ({invited} nieuwe uitnodigingen).")
