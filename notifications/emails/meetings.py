"""Meetings: the other partner is told of a planned, changed or cancelled meeting, with a calendar update
(issue 15 §4)."""

from email.mime.text import MIMEText

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from meetings.answers import MeetingAnswer, answer_token
from meetings.calendar import meeting_ics

from ..models import OutboxMessage
from .base import Content, absolute_url

Kind = OutboxMessage.Kind


def _when(meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    return f"{date_format(start, 'l j F Y')}, {date_format(start, 'H:i')}–{date_format(end, 'H:i')}"


def _calendar_part(meeting, recipient):
    method = "CANCEL" if meeting.status == meeting.Status.CANCELLED else "REQUEST"
    ics = meeting_ics(meeting, recipient, settings.SITE_URL, method=method).decode()
    part = MIMEText(ics, "calendar", "utf-8")
    part.set_param("method", method)
    # Named in the mail's language: "afspraak.ics" in a Dutch mail, "meeting.ics" in an English one.
    part.add_header("Content-Disposition", "attachment", filename=pgettext("calendar file name", "meeting") + ".ics")
    return part


def _is_over(meeting) -> bool:
    """Logged after it took place: no calendar invitation for an event already over."""
    return meeting.ends_at <= timezone.now()


def meeting_url(meeting) -> str:
    return absolute_url(reverse("meetings:detail", args=[meeting.pk]))


def _meeting_details(meeting) -> list[tuple[str, str]]:
    details = [(_("When"), _when(meeting)), (_("How"), meeting.get_mode_display())]
    if meeting.location:
        details.append((_("Where"), meeting.location))
    if meeting.video_url:
        details.append((_("Video link"), meeting.video_url))
    return details


def _meeting_message(message, meeting) -> Content:
    # The recipient is the partner of whoever made the change.
    actor = meeting.match.partner_of(message.recipient)
    values = {"name": actor.full_name}
    kind = message.kind
    cancelled = kind == Kind.MEETING_CANCELLED or meeting.status == meeting.Status.CANCELLED
    if not cancelled and _is_over(meeting):
        # A meeting entered (or corrected) after it took place: she hears of it, without an invitation.
        return Content(
            subject=_("Meeting logged: %(when)s") % {"when": _when(meeting)},
            paragraphs=[
                _("%(name)s has logged a meeting with you that has already taken place; it is on the meeting's page.")
                % values
            ],
            details=_meeting_details(meeting),
            actions=[(_("Open the meeting"), meeting_url(meeting))],
        )
    if cancelled:
        subject = _("Meeting cancelled: %(when)s") % {"when": _when(meeting)}
        opening = _("%(name)s has cancelled your meeting. Your calendar is updated with the attachment.") % values
    elif kind == Kind.MEETING_CHANGED:
        subject = _("Meeting changed: %(when)s") % {"when": _when(meeting)}
        opening = (
            _("%(name)s has changed your meeting. This is how it stands now; the attachment updates your calendar.")
            % values
        )
    elif meeting.is_introduction:
        subject = _("Introductory meeting planned: %(when)s") % {"when": _when(meeting)}
        opening = (
            _("%(name)s has planned your introductory meeting. Open the attachment to add it to your calendar.")
            % values
        )
    else:
        subject = _("Meeting planned: %(when)s") % {"when": _when(meeting)}
        opening = _("%(name)s has planned a meeting with you. Open the attachment to add it to your calendar.") % values
    paragraphs = [opening]
    if meeting.status != meeting.Status.CANCELLED:
        paragraphs.append(
            _("Does it not suit you? Change it on the meeting's page; %(name)s then hears of it.") % values
        )
    return Content(
        subject=subject,
        paragraphs=paragraphs,
        details=_meeting_details(meeting),
        actions=[(_("Open the meeting"), meeting_url(meeting))],
        attachments=[_calendar_part(meeting, message.recipient)],
    )


def _meeting_tomorrow(message, meeting) -> Content:
    """Issue 26 §4: the day before, to both partners, with the calendar file (PUBLISH: same UID, no new invitation)."""
    partner = meeting.match.partner_of(message.recipient)
    ics = meeting_ics(meeting, message.recipient, settings.SITE_URL).decode()
    part = MIMEText(ics, "calendar", "utf-8")
    part.add_header("Content-Disposition", "attachment", filename="afspraak.ics")
    return Content(
        subject=_("Tomorrow: your meeting with %(name)s") % {"name": partner.full_name},
        paragraphs=[
            _("A reminder: tomorrow you meet %(name)s. Have a good conversation!") % {"name": partner.full_name},
            _("Does it not suit you after all? Change or cancel it on the meeting's page; %(name)s then hears of it.")
            % {"name": partner.full_name},
        ],
        details=_meeting_details(meeting),
        actions=[(_("Open the meeting"), meeting_url(meeting))],
        attachments=[part],
    )


def _meeting_held_question(message, meeting) -> Content:
    """Issue 26 §4: after the end, whoever planned it answers with one click (a signed link, a page to confirm)."""
    partner = meeting.match.partner_of(message.recipient)

    def link(answer):
        token = answer_token(meeting_id=meeting.pk, user_id=message.recipient.pk, answer=answer)
        return absolute_url(reverse("meetings:answer", args=[token]))

    return Content(
        subject=_("Did your meeting take place?"),
        paragraphs=[
            _("Your meeting with %(name)s was planned for %(when)s. Did it take place?")
            % {"name": partner.full_name, "when": _when(meeting)},
            _(
                "Choose an answer below; a page opens where you confirm it. Held meetings count toward the "
                "two meetings of the programme."
            ),
        ],
        actions=[(str(answer.label), link(answer)) for answer in MeetingAnswer],
    )


BUILDERS = {
    Kind.MEETING_TOMORROW: _meeting_tomorrow,
    Kind.MEETING_HELD_QUESTION: _meeting_held_question,
    Kind.MEETING_PLANNED: _meeting_message,
    Kind.MEETING_CHANGED: _meeting_message,
    Kind.MEETING_CANCELLED: _meeting_message,
}
