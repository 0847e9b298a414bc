"""Writes for a pair's MENTOR agreement (R16): made at activation from the mentorvraag (R7), edited and
confirmed by the pair."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .models import Agreement, Match


def agreement_ensure(*, match: Match) -> Agreement:
    """The MENTOR agreement (R16) starts from the mentorvraag (R7) and the renewal moment (R5)."""
    agreement = Agreement.objects.filter(match=match).first()
    if agreement:
        return agreement
    question = match.mentee_application.mentoring_question if match.mentee_application_id else ""
    agreement = Agreement(
        match=match,
        # A question written before the length limit existed may be longer than a mission can be.
        mission=question[: Agreement._meta.get_field("mission").max_length],
        evaluation_date=(match.planned_end - selectors.RENEWAL_NOTICE) if match.planned_end else None,
    )
    agreement.full_clean()
    agreement.save()
    return agreement


AGREEMENT_PARTS = {
    "mission_agreed_at": ("mission",),
    "engagement_agreed_at": ("meeting_mode", "meeting_frequency"),
    "networking_agreed_at": ("networking",),
    "opportunities_agreed_at": ("opportunities",),
    "evaluation_agreed_at": ("evaluation_date",),
}


@transaction.atomic
def agreement_update(*, match: Match, by, **data) -> Agreement:
    """Either partner edits the agreement; each changed part is stamped as agreed now."""
    if not match.is_member(by) or not match.is_ongoing:
        raise ValidationError(_("Only the pair can change the agreement of an active mentorship."))
    agreement = Agreement.objects.select_for_update().get(pk=agreement_ensure(match=match).pk)
    now = timezone.now()
    for stamp, fields in AGREEMENT_PARTS.items():
        changed = False
        for name in fields:
            if name in data and data[name] != getattr(agreement, name):
                setattr(agreement, name, data[name])
                changed = True
        if changed:
            setattr(agreement, stamp, now)
    agreement.full_clean()
    agreement.save()
    return agreement


@transaction.atomic
def agreement_confirm_trust(*, match: Match, by) -> Agreement:
    """R11: each partner confirms the confidentiality principle herself."""
    if not match.is_member(by) or not match.is_ongoing:
        raise ValidationError(_("Only the pair can confirm the agreement of an active mentorship."))
    agreement = Agreement.objects.select_for_update().get(pk=agreement_ensure(match=match).pk)
    field = "trust_confirmed_by_mentor_at" if by.pk == match.mentor_id else "trust_confirmed_by_mentee_at"
    setattr(agreement, field, timezone.now())
    agreement.save(update_fields=[field, "updated_at"])
    return agreement
