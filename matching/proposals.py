"""The optimal proposal as a background job (issue 17): started by a coordinator, computed by a Celery task
(by its registered name: the task module imports this one), reviewed, edited and confirmed all or nothing."""

import datetime
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasks import task_by_name

from . import selectors, solver
from .models import Application, Cycle, Match, MatchingProposal, Role
from .services import MATCHABLE_CYCLE_STATUSES, proposal_confirm

logger = logging.getLogger(__name__)

# The task that computes a proposal, by its registered name (matching.tasks imports this module).
PROPOSAL_COMPUTE_TASK = "matching.proposal_compute"


def proposal_stuck_after() -> datetime.timedelta:
    """A proposal waiting or running longer than the task's hard limit (plus time to be picked up) has died."""
    return datetime.timedelta(
        seconds=settings.MATCHING_PROPOSAL_TIME_LIMIT + settings.MATCHING_PROPOSAL_QUEUE_ALLOWANCE_SECONDS
    )


def matching_proposals_fail_stuck(*, cycle: Cycle) -> int:
    """Mark the cycle's proposals that are still "waiting" or "running" past their limit as failed, with a message.

    A worker that crashed or was restarted, or a broker that lost the message, leaves the row
    running for ever; its task can no longer be running (the hard time limit ended it). Then the
    coordinator sees why, and can start a new one.
    """
    return MatchingProposal.objects.filter(
        cycle=cycle,
        status__in=[MatchingProposal.Status.QUEUED, MatchingProposal.Status.RUNNING],
        created_at__lt=timezone.now() - proposal_stuck_after(),
    ).update(
        status=MatchingProposal.Status.FAILED,
        error=_(
            "The computation did not finish within its time limit (the background worker stopped or was "
            "restarted). Start a new proposal."
        ),
        finished_at=timezone.now(),
    )


def matching_proposal_start(*, cycle: Cycle, by) -> MatchingProposal:
    """Queue a new proposal for the cycle; a Celery task computes it. Returns the running one if there is one."""
    if cycle.status not in MATCHABLE_CYCLE_STATUSES:
        raise ValidationError(_("Pairs can only be made while the cycle is open, matching or running."))
    with transaction.atomic():
        # One computation per cycle at a time: a second click joins the running one.
        Cycle.objects.select_for_update().get(pk=cycle.pk)
        matching_proposals_fail_stuck(cycle=cycle)
        running = (
            MatchingProposal.objects.filter(
                cycle=cycle, status__in=[MatchingProposal.Status.QUEUED, MatchingProposal.Status.RUNNING]
            )
            .order_by("-created_at")
            .first()
        )
        if running is not None:
            return running
        proposal = MatchingProposal(cycle=cycle, started_by=by)
        proposal.full_clean()
        proposal.save()
        transaction.on_commit(lambda: _enqueue_proposal(proposal.pk))
    return proposal


def _enqueue_proposal(proposal_id: int) -> None:
    try:
        task_by_name(PROPOSAL_COMPUTE_TASK).delay(proposal_id)
    except Exception as error:  # noqa: BLE001 - a broker that is down must not cost the coordinator a page
        MatchingProposal.objects.filter(pk=proposal_id).update(
            status=MatchingProposal.Status.FAILED,
            error=_("The background worker could not be reached; try again in a moment."),
            finished_at=timezone.now(),
        )
        logger.warning("proposal %s not queued: %s", proposal_id, error)


def matching_proposal_compute(*, proposal_id: int) -> MatchingProposal:
    """The task's work: read the cycle, solve, store the choices (nothing is matched yet)."""
    proposal = MatchingProposal.objects.select_related("cycle").get(pk=proposal_id)
    if proposal.status not in (MatchingProposal.Status.QUEUED, MatchingProposal.Status.RUNNING):
        return proposal
    MatchingProposal.objects.filter(pk=proposal.pk).update(status=MatchingProposal.Status.RUNNING, progress=5)
    try:
        state = selectors.cycle_state(proposal.cycle)
        mentors, mentees, _topic_names = selectors.cycle_candidates(cycle=proposal.cycle)
        MatchingProposal.objects.filter(pk=proposal.pk).update(progress=20)

        def progress(fraction: float) -> None:
            MatchingProposal.objects.filter(pk=proposal.pk).update(progress=20 + int(fraction * 70))

        result = solver.propose(mentors, mentees, progress=progress)
    except SoftTimeLimitExceeded:
        MatchingProposal.objects.filter(pk=proposal.pk).update(
            status=MatchingProposal.Status.FAILED,
            error=_(
                "The computation took longer than its limit of %(minutes)s minutes; this cycle is too large for "
                "one worker. Match part of it by hand, or ask the administrator to raise the limit."
            )
            % {"minutes": settings.MATCHING_PROPOSAL_SOFT_TIME_LIMIT // 60},
            finished_at=timezone.now(),
        )
        return MatchingProposal.objects.get(pk=proposal.pk)
    except Exception as error:
        MatchingProposal.objects.filter(pk=proposal.pk).update(
            status=MatchingProposal.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    proposed = {mentees[row].application_id: mentors[column].application_id for row, column in result.pairs}
    proposal.choices = {
        str(mentee.application_id): [proposed.get(mentee.application_id), mentee.application_id in proposed]
        for mentee in mentees
        if mentee.eligible and not mentee.has_live_match
    }
    proposal.pair_count = len(result.pairs)
    proposal.total_score = result.total_score
    proposal.method = result.method
    proposal.cycle_state = state
    proposal.status = MatchingProposal.Status.READY
    proposal.progress = 100
    proposal.finished_at = timezone.now()
    proposal.save()
    return proposal


def matching_proposal_edit(*, proposal: MatchingProposal, choices: dict[int, tuple[int | None, bool]]) -> None:
    """Store the coordinator's edits (mentee application id -> (mentor application id or None, include))."""
    with transaction.atomic():
        proposal = MatchingProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != MatchingProposal.Status.READY:
            raise ValidationError(_("This proposal can no longer be changed."))
        mentor_ids = set(
            Application.objects.filter(cycle=proposal.cycle, role=Role.MENTOR).values_list("pk", flat=True)
        )
        for mentee_id, (mentor_id, include) in choices.items():
            if str(mentee_id) not in proposal.choices:
                continue
            if mentor_id is not None and mentor_id not in mentor_ids:
                raise ValidationError(_("Choose a mentor and a mentee from this cycle."))
            proposal.choices[str(mentee_id)] = [mentor_id, bool(include and mentor_id is not None)]
        proposal.save(update_fields=["choices"])


def matching_proposal_confirm(*, proposal: MatchingProposal, by, before_window_closes: bool = False) -> list[Match]:
    """Confirm every included pair of a stored, current proposal: all or nothing, under the usual locks."""
    with transaction.atomic():
        proposal = MatchingProposal.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
        if proposal.status == MatchingProposal.Status.CONFIRMED:
            raise ValidationError(_("This proposal has already been confirmed."))
        if proposal.status != MatchingProposal.Status.READY:
            raise ValidationError(_("This proposal is not ready yet."))
        if proposal.cycle_state != selectors.cycle_state(proposal.cycle):
            raise ValidationError(
                _("The cycle changed after this proposal was computed. Compute a new proposal first.")
            )
        pairs = [(mentor_id, int(mentee_id)) for mentee_id, (mentor_id, include) in proposal.choices.items() if include]
        matches = proposal_confirm(cycle=proposal.cycle, pairs=pairs, by=by, before_window_closes=before_window_closes)
        proposal.status = MatchingProposal.Status.CONFIRMED
        proposal.save(update_fields=["status"])
    return matches
