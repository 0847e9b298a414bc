"""Evaluations (R14): the invitation and the reminder, one e-mail per person per round."""

from django.utils.translation import gettext as _

from .. import selectors
from ..models import OutboxMessage
from .base import Content, absolute_url, long_date

Kind = OutboxMessage.Kind


def _evaluation(message, invitation, *, reminder: bool) -> Content:
    """One e-mail per person per round (issue 15 §6): each of her roles named, each with its own link."""
    round_ = invitation.round
    # The round's name says "evaluation" already ("Tussentijdse evaluatie"): the subject does not repeat it.
    invitations = selectors.invitations_of(invitation, unanswered=reminder) or [invitation]
    if reminder:
        subject = _("Reminder: %(round)s") % {"round": round_.name}
        opening = _(
            "A friendly reminder: we have not yet received your evaluation “%(round)s”. It takes only a few "
            "minutes and is anonymous."
        ) % {"round": round_.name}
    else:
        subject = _("Share your experience: %(round)s") % {"round": round_.name}
        opening = _(
            "The evaluation “%(round)s” of the mentor programme is open. Your answers help us improve the "
            "programme and are processed anonymously."
        ) % {"round": round_.name}
    paragraphs = [opening]
    if len(invitations) > 1:
        paragraphs.append(
            _(
                "You take part both as a mentor and as a mentee, so there is a form for each role, each with its "
                "own link. Please fill in both."
            )
        )
    paragraphs.append(
        _("The form is open until %(date)s. The links below are personal: please do not forward them.")
        % {"date": long_date(round_.closes_on)}
    )
    labels = {"mentor": _("Fill in the evaluation as a mentor"), "mentee": _("Fill in the evaluation as a mentee")}
    return Content(
        subject=subject,
        paragraphs=paragraphs,
        actions=[(labels[item.role], absolute_url(item.get_absolute_url())) for item in invitations],
    )


BUILDERS = {
    Kind.EVALUATION_INVITATION: lambda message, invitation: _evaluation(message, invitation, reminder=False),
    Kind.EVALUATION_REMINDER: lambda message, invitation: _evaluation(message, invitation, reminder=True),
}
