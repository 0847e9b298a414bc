"""Remembered across cycles (issue 25 §5): a pair that ended early, or where either partner answered
"does it fit?" with no, is not suggested or proposed again in a later cycle.

The rule itself is one of the hard rules (`scoring.hard_rule_violation`, fed by
`selectors.former_mentors_by_mentee`); here a coordinator allows such a pair again, with her reason,
which the Koppelscherm shows beside the mentee.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Match, PairOverride
from .selectors import did_not_work_out


def pair_override_check(*, mentor, mentee, reason: str) -> None:
    """Why this override cannot be made (a ValidationError), or nothing: forms ask it before saving."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason: the matching screen shows it beside the mentee.")})
    if mentor is None or mentee is None or mentor.pk == mentee.pk:
        raise ValidationError(_("Choose the mentor and the mentee of an earlier pair."))
    if not Match.objects.filter(did_not_work_out(), mentor=mentor, mentee=mentee).exists():
        raise ValidationError(
            _("%(mentor)s and %(mentee)s have no earlier pair that ended early or did not fit: nothing to allow.")
            % {"mentor": mentor, "mentee": mentee},
            code="nothing_to_allow",
        )
    if PairOverride.objects.filter(mentor=mentor, mentee=mentee).exists():
        raise ValidationError(
            _("%(mentor)s and %(mentee)s may already be matched again.") % {"mentor": mentor, "mentee": mentee},
            code="exists",
        )


@transaction.atomic
def pair_override_add(*, mentor, mentee, reason: str, by) -> PairOverride:
    """Allow this mentor and mentee to be matched again despite their earlier pair; the reason is required."""
    pair_override_check(mentor=mentor, mentee=mentee, reason=reason)
    override = PairOverride(mentor=mentor, mentee=mentee, reason=reason.strip(), created_by=by)
    override.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            override.save()
    except IntegrityError:
        raise ValidationError(
            _("%(mentor)s and %(mentee)s may already be matched again.") % {"mentor": mentor, "mentee": mentee},
            code="exists",
        ) from None
    return override
