"""iCalendar output (RFC 5545) for planned meetings: one file per meeting, and a member's feed.

Times are written in Europe/Amsterdam with a VTIMEZONE component, so calendar apps
show the right hour on both sides of a daylight-saving change.
"""

import zoneinfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.validators import single_line

from .models import Meeting

PRODID = "-//NOB Vrouwennetwerk//Mentorprogramma//NL"
LOCAL_ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _new_calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def meeting_summary(meeting: Meeting, viewer) -> str:
    # Stored names may predate the single-line rule: one line, never a broken calendar.
    partner = single_line(meeting.match.partner_of(viewer))
    if meeting.is_introduction:
        return _("Introductory meeting with %(partner)s") % {"partner": partner}
    return _("Mentor meeting with %(partner)s") % {"partner": partner}


def _event(meeting: Meeting, viewer, base_url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{meeting.uid}@mentorprogramma")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at, LOCAL_ZONE))
    event.add("duration", meeting.ends_at - meeting.starts_at)
    event.add("summary", meeting_summary(meeting, viewer))
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    if meeting.mode == Meeting.Mode.VIRTUAL:
        where = meeting.video_url or meeting.location or _("virtual")
    else:
        where = meeting.location
    if where:
        event.add("location", single_line(where))
    link = base_url + reverse("meetings:detail", args=[meeting.pk])
    # Only what both partners may see; never private notes (R11).
    description = [meeting.get_mode_display().capitalize()]
    if meeting.video_url:
        description.append(_("Video link: %(url)s") % {"url": meeting.video_url})
    description.append(_("In the mentor programme: %(url)s") % {"url": link})
    event.add("description", "\n".join(description))
    event.add("url", link)
    return event


def _finish(calendar: icalendar.Calendar) -> bytes:
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _address(user) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{user.email}")
    # A parameter value cannot hold a line break at all (RFC 5545 3.2): a stored name that has one
    # would make the whole file fail, so it is put on one line.
    address.params["cn"] = icalendar.vText(single_line(user.full_name))
    return address


def programme_organizer() -> icalendar.vCalAddress:
    """The one ORGANIZER of every meeting, for its whole life: the programme's own address.

    In iTIP (RFC 5546) only the organizer sends REQUEST and CANCEL. Either partner may plan, move or
    cancel a meeting, so if the organizer were whoever planned it, the other partner's change would reach
    her as a REQUEST "from herself", which Outlook and Gmail show as "you are the organizer" and do not
    apply. With the programme as organizer and both partners as attendees, every update is valid for both.
    """
    address = icalendar.vCalAddress(f"mailto:{settings.PROGRAMME_CONTACT_EMAIL}")
    address.params["cn"] = icalendar.vText(PROGRAMME_NAME)
    return address


PROGRAMME_NAME = "Mentorprogramma NOB Vrouwennetwerk"


def meeting_ics(meeting: Meeting, viewer, base_url: str, method: str = "PUBLISH") -> bytes:
    """One meeting as a calendar file: PUBLISH to download; REQUEST or CANCEL (RFC 5546) in the
    partner's e-mail, so her calendar adds, updates (same UID, higher SEQUENCE) or removes it."""
    calendar = _new_calendar(meeting_summary(meeting, viewer))
    calendar.add("method", method)
    event = _event(meeting, viewer, base_url)
    if method in ("REQUEST", "CANCEL"):
        # Scheduling methods name an organizer and attendees: the programme, and both partners.
        match = meeting.match
        event.add("organizer", programme_organizer())
        for person in (match.mentee, match.mentor):
            if person is None:  # a partner who erased her account
                continue
            attendee = _address(person)
            attendee.params["cutype"] = icalendar.vText("INDIVIDUAL")
            attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
            attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
            # Nobody reads replies at the programme's address: the pair agrees between themselves.
            attendee.params["rsvp"] = icalendar.vText("FALSE")
            event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return _finish(calendar)


def feed_ics(meetings, viewer, base_url: str) -> bytes:
    calendar = _new_calendar(_("Mentor programme"))
    for meeting in meetings:
        calendar.add_component(_event(meeting, viewer, base_url))
    return _finish(calendar)
