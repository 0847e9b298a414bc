from celery import shared_task
from django.conf import settings

from . import proposals, services


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
    return proposals.matching_proposal_compute(proposal_id=proposal_id).pair_count


@shared_task(name="matching.start_due_matches")
def start_due_matches() -> int:
    """Daily: pairs matched before the cycle's start become active on their start date (R4)."""
    return services.matches_start_due()
