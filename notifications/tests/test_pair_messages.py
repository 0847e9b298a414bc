"""Issue 15 §2–§6 as the members and coordinators receive them: first-contact reminder, meetings with
their calendar update, the pair ended, "does it fit?", not matched this cycle, one evaluation mail."""

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from evaluations import services as evaluation_services
from evaluations.models import Invitation
from evaluations.tests.factories import EvaluationRoundFactory
from matching import fit_checks as matching_fit_checks
from matching import services as matching_services
from matching.models import Application, Cycle, FitCheck, Match
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory
from meetings import services as meeting_services
from meetings.models import Meeting, MentorTopic
from notifications import delivery, services
from notifications.models import OutboxMessage
from notifications.tests.conftest import bodies

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
SECRET = "GEHEIM-15"


def at(day: datetime.date, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=AMSTERDAM)


def to(sent, user):
    return [email for email in sent if email.to == [user.email]]


def calendar_of(email) -> tuple[str, icalendar.Event]:
    """The attached calendar's METHOD and its one event."""
    (part,) = [part for part in email.attachments if part.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert part.get_param("method") == str(calendar["method"])
    (event,) = calendar.walk("VEVENT")
    return str(calendar["method"]), event


@pytest.fixture
def pair():
    mentor = MemberFactory(full_name="Birgit Jansen", language="nl")
    mentee = MemberFactory(full_name="Sanne Bakker", language="nl")
    match = ActiveMatchFactory(mentor=mentor, mentee=mentee, confirmed_at=timezone.now() - datetime.timedelta(days=30))
    ApplicationFactory(cycle=match.cycle, member=mentee)
    return match


# --- §4 Meetings: the other partner hears, with a calendar update ----------------------------


def test_planned_moved_and_cancelled_each_reach_the_other_partner_with_one_calendar_event(
    pair, sent, django_capture_on_commit_callbacks
):
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_services.meeting_plan(
            match=pair, by=pair.mentee, starts_at=starts, duration_minutes=60, location="Kantoor Utrecht"
        )
    (planned,) = to(sent, pair.mentor)
    assert to(sent, pair.mentee) == []  # she made the change herself
    assert "Sanne Bakker heeft een afspraak met je gepland" in planned.body
    method, event = calendar_of(planned)
    assert (method, int(event["sequence"])) == ("REQUEST", 0)
    uid = str(event["uid"])
    assert uid == f"{meeting.uid}@mentorprogramma"
    assert {str(attendee) for attendee in event.get("attendee")} == {
        f"mailto:{pair.mentor.email}",
        f"mailto:{pair.mentee.email}",
    }

    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_update(meeting=meeting, by=pair.mentor, starts_at=starts + datetime.timedelta(days=1))
    (moved,) = to(sent, pair.mentee)
    assert "Birgit Jansen heeft jullie afspraak gewijzigd" in moved.body
    method, event = calendar_of(moved)
    assert (method, str(event["uid"]), int(event["sequence"])) == ("REQUEST", uid, 1)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_update(meeting=meeting, by=pair.mentor, topics=[MentorTopic.MISSION])
    assert len(to(sent, pair.mentee)) == 1  # topics alone: no calendar change, no mail

    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_cancel(meeting=meeting, by=pair.mentee)
    cancelled = to(sent, pair.mentor)[-1]
    assert "heeft jullie afspraak geannuleerd" in cancelled.body
    method, event = calendar_of(cancelled)
    assert (method, str(event["uid"]), str(event["status"])) == ("CANCEL", uid, "CANCELLED")
    assert int(event["sequence"]) == Meeting.objects.get(pk=meeting.pk).sequence


def test_a_meeting_that_could_not_be_saved_sends_nothing(pair, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        meeting_services.meeting_plan(
            match=pair, by=pair.mentee, starts_at=timezone.now() + datetime.timedelta(days=5), duration_minutes=0
        )
    assert sent == [] and not OutboxMessage.objects.exists()


# --- §4 The pair ended (R6) --------------------------------------------------------------------


def test_a_withdrawal_tells_the_partner_without_the_reason_unless_she_shared_it(
    pair, sent, django_capture_on_commit_callbacks
):
    application = Application.objects.get(member=pair.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.application_withdraw(
            application=application, by=pair.mentee, reason=f"Te druk {SECRET}", category="time"
        )

    (ended,) = to(sent, pair.mentor)
    assert "Sanne Bakker heeft jullie mentorschap beëindigd" in ended.body
    assert SECRET not in bodies(ended)
    assert to(sent, pair.mentee) == []


def test_a_shared_reason_is_passed_on(sent, django_capture_on_commit_callbacks):
    match = ActiveMatchFactory()
    application = ApplicationFactory(cycle=match.cycle, member=match.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.application_withdraw(
            application=application,
            by=match.mentee,
            reason="Ik verhuis naar Singapore",
            category="circumstances",
            share_reason=True,
        )

    (ended,) = to(sent, match.mentor)
    assert "Ik verhuis naar Singapore" in ended.body


def test_a_coordinator_ending_a_pair_tells_both_kindly_that_the_coordinators_will_call(
    pair, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.match_end_early(
            match=pair, by=CoordinatorFactory(), reason=f"Past niet {SECRET}", category="fit"
        )

    for person in (pair.mentee, pair.mentor):
        (ended,) = to(sent, person)
        assert "De coördinatoren nemen contact met je op" in ended.body
        assert SECRET not in bodies(ended)


# --- §2 First contact (R8) ---------------------------------------------------------------------


def test_one_friendly_reminder_to_the_mentee_on_day_14_with_the_one_click_link(
    pair, sent, django_capture_on_commit_callbacks
):
    matched_on = timezone.localdate(pair.confirmed_at)
    for days in (13, 14, 15, 16):
        with (
            time_machine.travel(at(matched_on + datetime.timedelta(days=days), 7), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.daily_jobs_run()

    (reminder,) = [email for email in to(sent, pair.mentee) if "contact gehad" in email.subject]
    assert "/contact/" in reminder.body
    assert to(sent, pair.mentor) == []


# --- §3 Does it fit? ---------------------------------------------------------------------------


def held_introduction(match, by):
    meeting = meeting_services.meeting_plan(
        match=match,
        by=by,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        duration_minutes=60,
        is_introduction=True,
    )
    return meeting_services.meeting_mark_held(meeting=meeting, by=by)


def test_after_the_introduction_each_partner_is_asked_privately_and_a_no_reaches_only_the_coordinators(
    pair, sent, django_capture_on_commit_callbacks
):
    coordinator = CoordinatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        held_introduction(pair, pair.mentee)
    asked = [email for email in sent if email.subject.startswith("Past het?")]
    assert sorted(email.to[0] for email in asked) == sorted([pair.mentee.email, pair.mentor.email])
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        matching_fit_checks.fit_check_answer(
            match=pair, member=pair.mentor, answer=FitCheck.Answer.NO, note=f"Geen klik {SECRET}"
        )

    (concern,) = sent
    assert concern.to == [coordinator.email]
    assert "Birgit Jansen (mentor)" in concern.body
    assert SECRET not in bodies(concern)  # the note is read in the admin, not in a mail
    assert FitCheck.objects.get(member=pair.mentor).note == f"Geen klik {SECRET}"


def test_in_doubt_is_asked_again_after_the_next_meeting_only_of_her(pair, django_capture_on_commit_callbacks):
    held_introduction(pair, pair.mentee)
    matching_fit_checks.fit_check_answer(match=pair, member=pair.mentee, answer=FitCheck.Answer.DOUBT)
    matching_fit_checks.fit_check_answer(match=pair, member=pair.mentor, answer=FitCheck.Answer.GOOD)

    meeting = meeting_services.meeting_plan(
        match=pair, by=pair.mentor, starts_at=timezone.now() - datetime.timedelta(minutes=30), duration_minutes=30
    )
    meeting_services.meeting_mark_held(meeting=meeting, by=pair.mentor)

    assert list(FitCheck.objects.filter(answer="").values_list("member", "round")) == [(pair.mentee.pk, 2)]


def test_a_partner_answers_only_her_own_open_question(pair):
    with pytest.raises(Exception, match="geen vraag|no open question"):
        matching_fit_checks.fit_check_answer(match=pair, member=pair.mentee, answer=FitCheck.Answer.GOOD)
    held_introduction(pair, pair.mentee)
    matching_fit_checks.fit_check_answer(match=pair, member=pair.mentee, answer=FitCheck.Answer.GOOD)
    with pytest.raises(Exception, match="geen vraag|no open question"):
        matching_fit_checks.fit_check_answer(match=pair, member=pair.mentee, answer=FitCheck.Answer.NO)


# --- §5 Not matched this cycle -----------------------------------------------------------------


def test_closing_matching_mails_each_member_without_a_pair_once_and_her_dashboard_says_so(
    sent, django_capture_on_commit_callbacks, client
):
    today = timezone.localdate()
    cycle = CycleFactory(
        status=Cycle.Status.MATCHING,
        applications_open=today - datetime.timedelta(days=40),
        applications_close=today - datetime.timedelta(days=2),
        planned_start=today + datetime.timedelta(days=30),
    )
    mentor = MentorApplicationFactory(cycle=cycle, capacity=1)
    matched = ApplicationFactory(cycle=cycle)
    waiting = ApplicationFactory(cycle=cycle)
    spare_mentor = MentorApplicationFactory(cycle=cycle)
    with django_capture_on_commit_callbacks(execute=True):  # the match mails go out now, not with the next
        matching_services.match_confirm(mentor_application=mentor, mentee_application=matched, by=None)
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        left = matching_services.cycle_matching_close(cycle=cycle, by=CoordinatorFactory())

    assert {application.pk for application in left} == {waiting.pk, spare_mentor.pk}
    assert sorted(email.to[0] for email in sent) == sorted([waiting.member.email, spare_mentor.member.email])
    (to_mentee,) = to(sent, waiting.member)
    assert "wachtlijst" in to_mentee.body
    client.force_login(waiting.member)
    assert "Deze cyclus niet gekoppeld" in client.get(reverse("dashboard")).content.decode()


# --- §6 Both roles: one invitation mail --------------------------------------------------------


def test_a_member_in_both_roles_gets_one_invitation_naming_each_role_with_its_own_link(
    sent, django_capture_on_commit_callbacks, monkeypatch
):
    both = MemberFactory(language="nl")
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    as_mentor = ActiveMatchFactory(cycle=cycle, mentor=both)
    as_mentee = ActiveMatchFactory(cycle=cycle, mentee=both)
    opens = timezone.localdate()
    round_ = EvaluationRoundFactory(cycle=cycle, name="Tussentijds", opens_on=opens, closes_on=opens)
    monkeypatch.setattr(evaluation_services, "invitations_ensure", lambda *, round: 0)
    for user, role in ((both, "mentor"), (both, "mentee"), (as_mentor.mentee, "mentee"), (as_mentee.mentor, "mentor")):
        Invitation.objects.create(round=round_, user=user, role=role)

    with django_capture_on_commit_callbacks(execute=True):
        services.daily_jobs_run()

    (mail,) = to(sent, both)
    for invitation in Invitation.objects.filter(user=both):
        assert invitation.get_absolute_url() in mail.body
    assert "Vul de evaluatie in als mentor" in mail.body
    assert "Vul de evaluatie in als mentee" in mail.body
    assert len(sent) == 3
    assert Match.objects.count() == 2


def test_a_batch_of_invitation_mails_reads_her_roles_once_for_the_whole_batch(django_assert_max_num_queries):
    """Delivery marks each mail sent on its own row (nothing lost, nothing twice), but who has which
    roles in the round is read once per batch, not once per mail (issue 10's delivery figure)."""
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    round_ = EvaluationRoundFactory(cycle=cycle, opens_on=timezone.localdate(), closes_on=timezone.localdate())
    for _pair in range(12):
        match = ActiveMatchFactory(cycle=cycle)
        Invitation.objects.create(round=round_, user=match.mentor, role="mentor")
        Invitation.objects.create(round=round_, user=match.mentee, role="mentee")
    services.invitations_record(round_id=round_.pk)
    mails = OutboxMessage.objects.count()
    assert mails == 24

    # Per mail: its claim checked and renewed before the send, and its "sent" after it (issue 22);
    # a fixed number of reads for the batch.
    with django_assert_max_num_queries(2 * mails + 12):
        report = delivery.outbox_deliver_due()

    assert report.sent == mails
