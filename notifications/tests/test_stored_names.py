"""Finding 21.10: a name stored with a line break (from before names were checked) breaks nobody's mail or calendar.

Before: her partner's .ics download was a 500 and the partner's meeting e-mail failed on every attempt
(a header cannot hold a line break) until it was marked failed: a notice lost.
"""

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import MemberFactory
from matching.tests.factories import ActiveMatchFactory
from meetings import services as meeting_services
from meetings.models import Meeting
from notifications import delivery, outbox
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

BROKEN = "Sanne\r\nBcc: iedereen@example.org\tBakker"


@pytest.fixture
def pair():
    mentor = MemberFactory(full_name="Birgit Jansen", language="nl")
    mentee = MemberFactory(full_name="Sanne Bakker", language="nl")
    match = ActiveMatchFactory(mentor=mentor, mentee=mentee)
    # Stored before the rule, or by a hand-made update: the validator never saw it.
    User.objects.filter(pk=mentee.pk).update(full_name=BROKEN)
    match.mentee.refresh_from_db()
    return match


def test_the_partners_ics_download_works_with_a_stored_line_break_in_the_name(client, pair):
    meeting = meeting_services.meeting_plan(
        match=pair,
        by=pair.mentee,
        starts_at=timezone.now() + datetime.timedelta(days=5),
        duration_minutes=60,
    )
    Meeting.objects.filter(pk=meeting.pk).update(location="Kantoor\r\nUtrecht")
    client.force_login(pair.mentor)

    response = client.get(reverse("meetings:ics", args=[meeting.pk]))

    assert response.status_code == 200
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert "\n" not in str(event["summary"]) and "Sanne" in str(event["summary"])


def test_the_partners_meeting_mail_is_sent_with_its_calendar(pair, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_plan(
            match=pair, by=pair.mentee, starts_at=timezone.now() + datetime.timedelta(days=5), duration_minutes=60
        )
    delivery.outbox_deliver_due()

    message = OutboxMessage.objects.get(recipient=pair.mentor, kind=OutboxMessage.Kind.MEETING_PLANNED)
    assert message.status == OutboxMessage.Status.SENT, message.last_error
    (email,) = [email for email in mailoutbox if email.to == [pair.mentor.email]]
    msg = email.message()  # what the SMTP backend would send: headers must be single lines
    assert "\n" not in email.subject
    assert "Bcc" not in {key for key, _value in msg.items()}
    (part,) = [part for part in email.attachments if part.get_content_type() == "text/calendar"]
    (event,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert {attendee.params["CN"] for attendee in event.get("attendee")} == {
        "Birgit Jansen",
        "Sanne Bcc: iedereen@example.org Bakker",
    }


def test_a_mail_whose_subject_names_her_is_sent(pair, mailoutbox):
    # "Your mentee in the mentor programme: <name>": her stored name goes into the Subject header.
    outbox.message_record(kind=OutboxMessage.Kind.MATCH_MENTOR, recipient=pair.mentor, about=pair)

    delivery.outbox_deliver_due()

    message = OutboxMessage.objects.get(recipient=pair.mentor, kind=OutboxMessage.Kind.MATCH_MENTOR)
    assert message.status == OutboxMessage.Status.SENT, message.last_error
    (email,) = mailoutbox
    assert email.subject == "Je mentee in het mentorprogramma: Sanne Bcc: iedereen@example.org Bakker"
