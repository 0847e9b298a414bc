import gc

from celery import shared_task
from django.conf import settings

from . import proposals, services, suggestions
from .models import Cycle

# A job that read a whole cycle leaves tens of thousands of ORM objects in reference cycles, which only a
# full garbage collection frees. Collected when the job ends, they do not wait for the next full collection,
# which lands on whatever the process runs next and then takes hundreds of milliseconds more (issue 24:
# where tasks run in-process, the first Koppelscherm page after the candidate set was computed).
LARGE_JOB = 1000


def _collect_garbage_after(size: int) -> None:
    """A full garbage collection after a job over ``size`` candidates or more (a small one leaves little)."""
    if size >= LARGE_JOB:
        gc.collect()


@shared_task(name="matching.complete_finished_matches")
def complete_finished_matches() -> int:
    """Daily: close the year of pairs past their planned end that are not being renewed (R4, R5)."""
    return services.matches_complete_finished()


# Sized from bench/matching.py: the documented 50,000 x 25,000 cycle needs 333 s of CPU; the soft limit
# ends a larger one with a message, the hard limit (a minute later) ends a stuck one for good.
@shared_task(
    name=proposals.PROPOSAL_COMPUTE_TASK,
    soft_time_limit=settings.MATCHING_PROPOSAL_SOFT_TIME_LIMIT,
    time_limit=settings.MATCHING_PROPOSAL_TIME_LIMIT,
)
def proposal_compute(proposal_id: int) -> int:
    """Compute a stored optimal proposal (started by a coordinator on the proposal page)."""
    proposal = proposals.matching_proposal_compute(proposal_id=proposal_id)
    _collect_garbage_after(len(proposal.choices or ()))
    return proposal.pair_count


@shared_task(name="matching.start_due_matches")
def start_due_matches() -> int:
    """Daily: pairs matched before the cycle's start become active on their start date (R4)."""
    return services.matches_start_due()


@shared_task(name=suggestions.COMPUTE_TASK)
def candidate_set_compute(cycle_id: int) -> int:
    """Compute a cycle's Koppelscherm candidate set in full (a change too large to apply in place)."""
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    found = suggestions.compute_and_store(cycle)
    _collect_garbage_after(found.mentors + len(found.suggestions))
    return len(found.suggestions)
