"""E-mails to the coordinators: a pair where a partner said it does not fit.

The weekly digest is the roof's (coordination/digest.py), registered through ``build.register_builder``.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.people import name_for_coordinators

from ..models import OutboxMessage
from .base import Content, absolute_url

Kind = OutboxMessage.Kind


# --- Does it fit? (issue 15 §3) -------------------------------------------------------------


def _fit_check_concern(message, check) -> Content:
    """To each coordinator: a partner said it does not fit. The note stays in the admin."""
    match = check.match
    role = _("mentee") if check.member_id == match.mentee_id else _("mentor")
    return Content(
        subject=_("A match that does not fit: %(mentee)s and %(mentor)s")
        % {"mentee": name_for_coordinators(match.mentee), "mentor": name_for_coordinators(match.mentor)},
        paragraphs=[
            _(
                "After meeting, %(name)s (%(role)s) said the match of %(mentee)s with mentor %(mentor)s does not "
                "fit. Her partner does not know this answer."
            )
            % {
                "name": name_for_coordinators(check.member),
                "role": role,
                "mentee": name_for_coordinators(match.mentee),
                "mentor": name_for_coordinators(match.mentor),
            },
            _(
                "Please contact them. In the admin you can end the mentorship kindly (both hear that the "
                "coordinators will contact them) and match the mentee again on the matching screen."
            ),
        ],
        actions=[
            (_("The answer and her note"), absolute_url(reverse("admin:matching_fitcheck_change", args=[check.pk]))),
            (_("The mentorship"), absolute_url(reverse("admin:matching_match_change", args=[match.pk]))),
        ],
        reason=_("You receive this e-mail because you are a coordinator of the mentor programme."),
    )


BUILDERS = {
    Kind.FIT_CHECK_CONCERN: _fit_check_concern,
}
