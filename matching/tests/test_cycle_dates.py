"""Issue 25 §9: changing a cycle's start date or duration after matching moves its pairs' dates, with a notice
to both partners, or is refused with a clear message; never a silent mismatch."""

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.tests.factories import CoordinatorFactory
from matching import cycle_dates
from matching.models import Cycle, Match
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory, confirm_pair
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _form(cycle, **changes) -> dict:
    data = {
        "name": cycle.name,
        "applications_open": cycle.applications_open.isoformat(),
        "applications_close": cycle.applications_close.isoformat(),
        "planned_start": cycle.planned_start.isoformat(),
        "duration_months": str(cycle.duration_months),
        "status": cycle.status,
    }
    data.update(
        {key: value.isoformat() if hasattr(value, "isoformat") else str(value) for key, value in changes.items()}
    )
    return data


@pytest.fixture
def coordinator_client(client):
    client.force_login(CoordinatorFactory())
    return client


@pytest.fixture
def matched_cycle():
    """A cycle matched before its start: one confirmed pair starting on the planned start."""
    today = timezone.localdate()
    cycle = CycleFactory(
        status=Cycle.Status.MATCHING,
        applications_open=today - relativedelta(months=2),
        applications_close=today - relativedelta(days=1),
        planned_start=today + relativedelta(months=1),
    )
    match = confirm_pair(
        MentorApplicationFactory(cycle=cycle), ApplicationFactory(cycle=cycle), by=CoordinatorFactory()
    )
    assert match.start_date == cycle.planned_start
    return cycle, match


def test_a_new_start_and_duration_move_the_pairs_and_both_partners_are_told(coordinator_client, matched_cycle):
    cycle, match = matched_cycle
    new_start = cycle.planned_start + relativedelta(months=1)

    response = coordinator_client.post(
        reverse("admin:matching_cycle_change", args=[cycle.pk]),
        _form(cycle, planned_start=new_start, duration_months=9),
    )

    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.start_date, match.planned_end) == (new_start, new_start + relativedelta(months=9))
    assert match.agreement.evaluation_date == match.planned_end - relativedelta(months=1)
    told = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.PAIR_DATES_CHANGED)
    assert set(told.values_list("recipient_id", flat=True)) == {match.mentor_id, match.mentee_id}
    coordinator_client.force_login(match.mentee)
    page = coordinator_client.get(reverse("matching:pair_detail", kwargs={"pk": match.pk})).content.decode()
    assert date_format(new_start, "j F Y") in page  # her pair page says what the cycle says


def test_the_notice_mail_names_the_new_dates(matched_cycle, django_capture_on_commit_callbacks, mailoutbox):
    cycle, match = matched_cycle
    cycle.duration_months = 6
    with django_capture_on_commit_callbacks(execute=True):
        cycle_dates.cycle_save(cycle=cycle, by=CoordinatorFactory())

    bodies = {mail.to[0]: mail.body for mail in mailoutbox if "Nieuwe data" in mail.subject}
    assert set(bodies) == {match.mentor.email, match.mentee.email}
    end = (match.start_date + relativedelta(months=6)).strftime("%Y")
    assert all(end in body for body in bodies.values())


def _running_pair(*, started_months_ago: int) -> tuple[Cycle, Match]:
    """A running cycle whose pair started on the cycle's start, some months ago."""
    today = timezone.localdate()
    cycle = CycleFactory(
        status=Cycle.Status.RUNNING,
        applications_open=today - relativedelta(months=started_months_ago + 2),
        applications_close=today - relativedelta(months=started_months_ago + 1),
        planned_start=today - relativedelta(months=started_months_ago),
    )
    match = confirm_pair(MentorApplicationFactory(cycle=cycle), ApplicationFactory(cycle=cycle), by=None)
    Match.objects.filter(pk=match.pk).update(
        start_date=cycle.planned_start, planned_end=cycle.planned_start + relativedelta(months=12)
    )
    return cycle, match


def test_a_start_after_today_for_pairs_that_already_started_is_refused_at_the_field(coordinator_client):
    cycle, match = _running_pair(started_months_ago=1)
    started = cycle.planned_start

    response = coordinator_client.post(
        reverse("admin:matching_cycle_change", args=[cycle.pk]),
        _form(cycle, planned_start=timezone.localdate() + relativedelta(days=10)),
    )

    assert response.status_code == 200
    assert "1 mentorschap van deze cyclus is al begonnen op" in response.content.decode()
    cycle.refresh_from_db()
    match.refresh_from_db()
    assert cycle.planned_start == match.start_date == started


def test_a_duration_that_puts_running_pairs_past_their_end_is_refused(coordinator_client):
    cycle, _match = _running_pair(started_months_ago=3)

    response = coordinator_client.post(
        reverse("admin:matching_cycle_change", args=[cycle.pk]), _form(cycle, duration_months=2)
    )

    assert response.status_code == 200
    assert "al voorbij zijn einde zijn" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.duration_months == 12
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.PAIR_DATES_CHANGED).exists()


def test_a_change_without_pairs_or_without_new_dates_sends_nothing(coordinator_client, matched_cycle):
    cycle, match = matched_cycle
    response = coordinator_client.post(
        reverse("admin:matching_cycle_change", args=[cycle.pk]), _form(cycle, name="Nieuwe naam")
    )

    assert response.status_code == 302
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.PAIR_DATES_CHANGED).exists()
