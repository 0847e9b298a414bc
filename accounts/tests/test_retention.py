"""Retention with a frozen clock: warn once through the outbox, erase only after the warning period."""

import datetime
from io import StringIO

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import RetentionNotice, User
from accounts.retention import purge_expired_data
from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory
from meetings import services as meeting_services
from meetings.models import Meeting, PrivateNote
from meetings.tests.factories import HeldMeetingFactory
from notifications.models import OutboxMessage
from notifications.tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

JOINED = datetime.date(2027, 1, 10)
WARNING = OutboxMessage.Kind.RETENTION_WARNING


def noon(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def run(day, capture, *, dry_run=False):
    with time_machine.travel(noon(day), tick=False), capture(execute=True):
        return purge_expired_data(dry_run=dry_run)


@pytest.fixture
def sleeper():
    """A member who signed up on JOINED and never came back."""
    with time_machine.travel(noon(JOINED), tick=False):
        member = MemberFactory(full_name="Slapende Deelnemer")
    return member


def test_an_inactive_member_is_warned_once_30_days_before_and_erased_after(
    sleeper, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.RETENTION_INACTIVE_YEARS = 2
    due = JOINED + relativedelta(years=2)

    assert run(due - datetime.timedelta(days=31), django_capture_on_commit_callbacks).lines == []
    assert not OutboxMessage.objects.filter(kind=WARNING).exists()

    # Dry run 30 days before: it says it would warn, and warns nobody.
    report = run(due - datetime.timedelta(days=30), django_capture_on_commit_callbacks, dry_run=True)
    assert len(report.lines) == 1 and report.lines[0].startswith("warn member")
    assert not RetentionNotice.objects.exists()

    run(due - datetime.timedelta(days=30), django_capture_on_commit_callbacks)
    run(due - datetime.timedelta(days=29), django_capture_on_commit_callbacks)  # the next day: no second mail
    assert OutboxMessage.objects.filter(kind=WARNING, recipient=sleeper).count() == 1
    assert len([mail for mail in mailoutbox if mail.to == [sleeper.email]]) == 1
    assert "verwijderd" in mailoutbox[-1].subject

    report = run(due, django_capture_on_commit_callbacks, dry_run=True)
    assert report.lines == [f"erase member #{sleeper.pk} (last took part {JOINED:%Y-%m-%d})"]
    assert User.objects.filter(pk=sleeper.pk).exists()

    run(due, django_capture_on_commit_callbacks)
    assert not User.objects.filter(pk=sleeper.pk).exists()


def test_logging_in_after_the_warning_keeps_her(sleeper, django_capture_on_commit_callbacks):
    due = JOINED + relativedelta(years=2)
    run(due - datetime.timedelta(days=30), django_capture_on_commit_callbacks)
    User.objects.filter(pk=sleeper.pk).update(last_login=noon(due - datetime.timedelta(days=3)))
    assert run(due + datetime.timedelta(days=5), django_capture_on_commit_callbacks).lines == []
    assert User.objects.filter(pk=sleeper.pk).exists()


def test_a_member_in_a_running_pair_is_taking_part_and_never_warned(django_capture_on_commit_callbacks):
    with time_machine.travel(noon(JOINED), tick=False):
        match = ActiveMatchFactory()
        Match.objects.filter(pk=match.pk).update(planned_end=JOINED + relativedelta(years=5))
    assert run(JOINED + relativedelta(years=3), django_capture_on_commit_callbacks).lines == []


def test_a_member_whose_pair_ended_counts_from_the_end_and_coordinators_are_exempt(django_capture_on_commit_callbacks):
    ended_on = JOINED + relativedelta(months=13)
    with time_machine.travel(noon(JOINED), tick=False):
        match = ActiveMatchFactory()
        CoordinatorFactory()
    Match.objects.filter(pk=match.pk).update(status=Match.Status.COMPLETED, ended_on=ended_on)
    # Two years after sign-up, but only a year after the pair ended: nothing.
    assert run(JOINED + relativedelta(years=2), django_capture_on_commit_callbacks).lines == []
    lines = run(
        ended_on + relativedelta(years=2) - datetime.timedelta(days=30), django_capture_on_commit_callbacks
    ).lines
    assert sorted(line.split(" (")[0] for line in lines) == sorted(
        [f"warn member #{match.mentor_id}", f"warn member #{match.mentee_id}"]
    )


def test_private_notes_go_12_months_after_the_pair_ended_after_warning_both(
    settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_NOTES_MONTHS = 12
    match = ActiveMatchFactory(start_date=JOINED)
    meeting = HeldMeetingFactory(match=match, starts_at=noon(JOINED + datetime.timedelta(days=20)))
    for author in (match.mentor, match.mentee):
        meeting_services.private_note_save(meeting=meeting, author=author, text="Alleen voor mij.")
    ended_on = JOINED + relativedelta(months=12)
    Match.objects.filter(pk=match.pk).update(status=Match.Status.COMPLETED, ended_on=ended_on)
    # Both take part until the notes expire (they logged in), so only the notes are at stake.
    User.objects.filter(pk__in=[match.mentor_id, match.mentee_id]).update(
        last_login=noon(ended_on + relativedelta(months=11))
    )
    expires = ended_on + relativedelta(months=12)

    assert run(expires - datetime.timedelta(days=31), django_capture_on_commit_callbacks).lines == []
    lines = run(expires - datetime.timedelta(days=30), django_capture_on_commit_callbacks).lines
    assert lines == [f"warn 2 authors of notes of pair #{match.pk}: deleted from {expires:%Y-%m-%d}"]
    run(expires - datetime.timedelta(days=20), django_capture_on_commit_callbacks)
    warned = OutboxMessage.objects.filter(kind=WARNING).values_list("recipient_id", flat=True)
    assert sorted(warned) == sorted([match.mentor_id, match.mentee_id])

    assert run(expires, django_capture_on_commit_callbacks, dry_run=True).lines == [
        f"delete 2 private notes of pair #{match.pk} (ended {ended_on:%Y-%m-%d})"
    ]
    assert PrivateNote.objects.count() == 2
    run(expires, django_capture_on_commit_callbacks)
    assert PrivateNote.objects.count() == 0
    assert Meeting.objects.filter(pk=meeting.pk).exists()  # the shared meeting stays


def test_outbox_bodies_go_after_90_days_and_the_row_stays(settings, django_capture_on_commit_callbacks):
    settings.RETENTION_OUTBOX_DAYS = 90
    with time_machine.travel(noon(JOINED), tick=False):
        old = OutboxMessageFactory(
            last_error="550 mailbox anna@example.org unavailable", status=OutboxMessage.Status.FAILED
        )
    with time_machine.travel(noon(JOINED + datetime.timedelta(days=80)), tick=False):
        recent = OutboxMessageFactory(last_error="421 try again")
    day = JOINED + datetime.timedelta(days=91)
    User.objects.update(last_login=noon(day))
    assert run(day, django_capture_on_commit_callbacks, dry_run=True).lines == [
        f"empty the bodies of 1 e-mail messages older than {day - datetime.timedelta(days=90):%Y-%m-%d}"
    ]
    run(day, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.last_error == "" and old.kind and old.status == OutboxMessage.Status.FAILED and old.created_at
    assert recent.last_error == "421 try again"


def test_the_command_lists_what_it_would_remove_in_a_dry_run(sleeper):
    out = StringIO()
    with time_machine.travel(noon(JOINED + relativedelta(years=2)), tick=False):
        call_command("purge_expired_data", "--dry-run", stdout=out)
    assert f"[dry run] warn member #{sleeper.pk}" in out.getvalue()
    assert not RetentionNotice.objects.exists()
    out = StringIO()
    with time_machine.travel(noon(JOINED + datetime.timedelta(days=5)), tick=False):
        call_command("purge_expired_data", stdout=out)
    assert out.getvalue().strip() == "Nothing has expired."


def test_the_admin_shows_when_she_last_took_part_and_when_retention_erases_her(sleeper, client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    page = client.get(reverse("admin:accounts_profile_changelist")).content.decode()
    assert "laatst deelgenomen" in page.lower()
    assert "10 januari 2027" in page  # she signed up and never came back
    assert "10 januari 2029" in page  # two years later, RETENTION_INACTIVE_YEARS
