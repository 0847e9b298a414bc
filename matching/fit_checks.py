"""Does it fit? (issue 15 §3): after the introduction each partner is asked privately; "it does not fit"
reaches the coordinators, never the partner (R11)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FitCheck, Match
from .signals import fit_check_asked, fit_check_concern


@transaction.atomic
def fit_checks_ask_after_meeting(*, match: Match) -> list[FitCheck]:
    """A meeting was held: after the first one (the introduction, R8) ask both partners privately whether
    it fits; after a later one ask again whoever was still in doubt. Renewed terms know each other already.
    """
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not match.is_ongoing or match.is_renewed_term:
        return []
    latest = {}
    for check in match.fit_checks.order_by("round"):
        latest[check.member_id] = check
    asked = []
    for member in (match.mentee, match.mentor):
        previous = latest.get(member.pk)
        if previous is None:
            if latest:
                continue  # only one partner was asked before: nothing new for the other
            asked.append(FitCheck(match=match, member=member, round=1))
        elif previous.answer == FitCheck.Answer.DOUBT:
            asked.append(FitCheck(match=match, member=member, round=previous.round + 1))
    if not asked:
        return []
    for check in asked:
        check.full_clean()
        check.save()
    fit_check_asked.send(sender=FitCheck, fit_checks=asked)
    return asked


@transaction.atomic
def fit_check_answer(*, match: Match, member, answer: str, note: str = "") -> FitCheck:
    """Her private answer; 'not a fit' reaches the coordinators at once, never her partner (R11)."""
    if not match.is_member(member):
        raise ValidationError(_("Only the mentor and the mentee answer this question."))
    check = (
        FitCheck.objects.select_for_update().filter(match=match, member=member, answer="").order_by("-round").first()
    )
    if check is None or not Match.objects.get(pk=match.pk).is_ongoing:  # an ended pair is asked nothing
        raise ValidationError(_("There is no open question about your match right now."), code="not_asked")
    if answer not in FitCheck.Answer.values:
        raise ValidationError({"answer": _("Choose one of the answers.")})
    check.answer = answer
    check.note = (note or "").strip()
    check.answered_at = timezone.now()
    check.full_clean()
    check.save()
    if answer == FitCheck.Answer.NO:
        fit_check_concern.send(sender=FitCheck, fit_check=check)
    return check
