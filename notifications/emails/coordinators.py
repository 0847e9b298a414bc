"""E-mails to the coordinators: the weekly digest, and a pair where a partner said it does not fit."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.people import name_for_coordinators
from matching import selectors as matching_selectors

from .. import selectors
from ..models import OutboxMessage
from .base import Content, absolute_url, long_date

Kind = OutboxMessage.Kind


def _coordinator_digest(message, _subject) -> Content:
    counts = selectors.digest_counts()
    details = [
        (_("Registrations awaiting verification"), str(counts["awaiting_verification"])),
        (_("Mentees without a match"), str(counts["unmatched_mentees"])),
        (_("Active pairs without a meeting held"), str(counts["pairs_without_meetings"])),
    ]
    actions = [
        (
            _("Registrations to verify"),
            absolute_url(reverse("admin:accounts_profile_changelist") + "?verification_status__exact=wacht"),
        ),
        (_("Applications and matches"), absolute_url(reverse("admin:matching_match_changelist"))),
    ]
    # Issue 15 §2: pairs matched three weeks ago (configurable) without a first contact, by name.
    for match in matching_selectors.pairs_without_first_contact():
        details.append(
            (
                _("No first contact yet"),
                _("%(mentee)s with mentor %(mentor)s, matched on %(date)s")
                % {
                    "mentee": name_for_coordinators(match.mentee),
                    "mentor": name_for_coordinators(match.mentor),
                    "date": long_date(timezone.localdate(match.confirmed_at)),
                },
            )
        )
    # Issue 15 §3: pairs where a partner said it does not fit, until a coordinator acted on it.
    for match in matching_selectors.fit_concerns():
        details.append(
            (
                _("Does not fit"),
                _("%(mentee)s with mentor %(mentor)s")
                % {"mentee": name_for_coordinators(match.mentee), "mentor": name_for_coordinators(match.mentor)},
            )
        )
    # Issue 15 §4, R6: who stepped out this past week (the reasons are in the admin, not in a mail).
    applications, ended = selectors.withdrawals_since(timezone.now() - datetime.timedelta(days=7))
    for application in applications:
        details.append(
            (
                _("Withdrawn"),
                _("%(name)s, %(role)s in %(cycle)s")
                % {
                    "name": name_for_coordinators(application.member),
                    "role": application.get_role_display(),
                    "cycle": application.cycle,
                },
            )
        )
    for match in ended:
        details.append(
            (
                _("Mentorship ended early"),
                _("%(mentee)s with mentor %(mentor)s, on %(date)s")
                % {
                    "mentee": name_for_coordinators(match.mentee),
                    "mentor": name_for_coordinators(match.mentor),
                    "date": long_date(match.ended_on),
                },
            )
        )
    # The same next step as on top of the cockpit's year plan, and the way to the cockpit.
    from coordination.cockpit import programme_next_step

    step = programme_next_step()
    if step is not None:
        details.insert(0, (_("Next step"), f"{step.label} ({date_format(step.due, 'j F Y')})"))
    actions.insert(0, (_("Coordination"), absolute_url(reverse("coordination"))))
    if counts["failed_messages"]:
        details.append((_("E-mails that could not be sent"), str(counts["failed_messages"])))
        actions.append(
            (
                _("E-mails to look at"),
                absolute_url(reverse("admin:notifications_outboxmessage_changelist") + "?status__exact=mislukt"),
            )
        )
    return Content(
        subject=_("Weekly overview of the mentor programme (%(week)s)") % {"week": message.period},
        paragraphs=[
            _(
                "This is the weekly overview of the mentor programme: counts, the pairs that need you, and who "
                "stepped out. Details are in the admin."
            )
        ],
        details=details,
        actions=actions,
        reason=_("You receive this e-mail because you are a coordinator of the mentor programme."),
    )


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
    Kind.COORDINATOR_DIGEST: _coordinator_digest,
    Kind.FIT_CHECK_CONCERN: _fit_check_concern,
}
