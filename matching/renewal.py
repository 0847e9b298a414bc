"""Renewal (R5): each partner answers whether she wants to continue; a double yes starts a new term, linked
to the previous one, by a coordinator or (MATCHING_RENEWAL_STARTED_BY) the system."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.eligibility import role_decision

from . import selectors
from .agreements import agreement_ensure
from .models import Match, RenewalAnswer, Role
from .services import check_transition, lock_profiles, match_activate


def renewal_started_by_system() -> bool:
    return settings.MATCHING_RENEWAL_STARTED_BY == "system"


@transaction.atomic
def renewal_answer_record(*, match: Match, member, wants_to_continue: bool) -> RenewalAnswer:
    """R5: each partner says whether she wants to continue; only a double yes leads to a new term."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not match.is_member(member):
        raise ValidationError(_("Only the mentor and the mentee answer the renewal question."))
    if not selectors.renewal_due(match=match):
        raise ValidationError(
            _("The renewal question opens in the last month of your mentorship."), code="renewal_not_due"
        )
    answer, _created = RenewalAnswer.objects.update_or_create(
        match=match, member=member, defaults={"wants_to_continue": wants_to_continue, "answered_at": timezone.now()}
    )
    if renewal_started_by_system() and selectors.renewal_outcome(match=match) == "agreed":
        try:
            # A savepoint: if one of them may no longer take part (R2, R3), her answer still counts
            # and a coordinator sees "both want to continue" and the reason when starting the term.
            with transaction.atomic():
                match_renew(match=match, by=None)
        except ValidationError:
            pass
    return answer


def _check_both_may_continue(match: Match) -> None:
    """A new term is a new pair in the programme: both still take part (R2), the mentor as mentor (R3)."""
    lock_profiles([match.mentor_id, match.mentee_id])
    for member, role in ((match.mentor, Role.MENTOR), (match.mentee, Role.MENTEE)):
        decision = role_decision(member, role)
        if not decision:
            raise ValidationError(
                _("%(name)s cannot start a new term: %(reason)s") % {"name": member, "reason": decision.reason},
                code="not_eligible",
            )


@transaction.atomic
def match_renew(*, match: Match, by, mission: str = "") -> Match:
    """R5: both said yes, so a new term starts where this one ends; earlier terms stay as history."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    if selectors.renewal_outcome(match=match) != "agreed":
        raise ValidationError(
            _("A mentorship is only renewed when mentor and mentee both want to continue."), code="not_agreed"
        )
    if selectors.has_next_term(match=match):
        raise ValidationError(_("This mentorship has already been renewed."))
    check_transition(match, Match.Status.COMPLETED)
    _check_both_may_continue(match)
    start = max(timezone.localdate(), match.planned_end)
    match.status = Match.Status.COMPLETED
    match.ended_on = start
    match.ended_by = by
    match.full_clean(validate_constraints=False)
    match.save()
    old_agreement = agreement_ensure(match=match)
    new_term = Match(
        cycle=match.cycle,
        mentor=match.mentor,
        mentee=match.mentee,
        mentor_application=match.mentor_application,
        mentee_application=match.mentee_application,
        term=match.term + 1,
        previous_term=match,
        status=Match.Status.PROPOSED,
        created_by=by,
    )
    new_term.full_clean(validate_constraints=False)
    new_term.save()
    match_activate(match=new_term, by=by, start_date=start)
    agreement = new_term.agreement
    agreement.mission = (mission or "").strip() or old_agreement.mission
    agreement.meeting_mode = old_agreement.meeting_mode
    agreement.meeting_frequency = old_agreement.meeting_frequency
    agreement.full_clean()
    agreement.save()
    return new_term
