"""Issue 13 §5: a double click (or eight) on "plan" plans one meeting (PostgreSQL, real threads)."""

import datetime
import re
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql_only")]


def _planning_form(client, pair) -> dict:
    """The form as the browser has it: the page's own one-time key plus what the mentee typed."""
    page = client.get(reverse("meetings:create", args=[pair.pk])).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)
    day = timezone.localdate() + datetime.timedelta(days=5)
    return {
        "submission_key": key,
        "date": day.isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "mode": "in_person",
        "location": "Kantoor Utrecht",
    }


def _submit_at_once(pair, data, times=8):
    barrier = threading.Barrier(times)
    statuses = [None] * times

    def submit(index):
        client = Client()
        client.force_login(pair.mentee)
        try:
            barrier.wait(timeout=10)
            statuses[index] = client.post(reverse("meetings:create", args=[pair.pk]), data).status_code
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_eight_concurrent_submissions_of_one_form_plan_one_meeting(client, pair):
    client.force_login(pair.mentee)
    data = _planning_form(client, pair)

    statuses = _submit_at_once(pair, data)

    assert statuses == [302] * 8  # each click lands on the meeting, none on an error
    assert Meeting.objects.filter(match=pair).count() == 1


def test_two_forms_opened_separately_plan_two_meetings(client, pair):
    client.force_login(pair.mentee)
    first, second = _planning_form(client, pair), _planning_form(client, pair)

    client.post(reverse("meetings:create", args=[pair.pk]), first)
    client.post(reverse("meetings:create", args=[pair.pk]), {**second, "start_time": "14:00", "end_time": "15:00"})

    assert Meeting.objects.filter(match=pair).count() == 2


def test_eight_concurrent_submissions_without_the_forms_key_plan_one_meeting_and_one_mail(client, pair):
    """Finding 21.12: a script or an old form without `submission_key` made 8 meetings and 8 partner mails."""
    from notifications.models import OutboxMessage

    client.force_login(pair.mentee)
    data = _planning_form(client, pair)
    del data["submission_key"]

    statuses = _submit_at_once(pair, data)

    assert statuses == [302] * 8
    assert Meeting.objects.filter(match=pair).count() == 1
    mails = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.MEETING_PLANNED, recipient=pair.mentor)
    assert mails.count() == 1


def test_the_same_start_planned_again_after_a_minute_is_a_second_meeting_on_purpose(client, pair):
    client.force_login(pair.mentee)
    data = _planning_form(client, pair)
    del data["submission_key"]
    client.post(reverse("meetings:create", args=[pair.pk]), data)
    Meeting.objects.filter(match=pair).update(created_at=timezone.now() - datetime.timedelta(minutes=2))

    client.post(reverse("meetings:create", args=[pair.pk]), data)

    assert Meeting.objects.filter(match=pair).count() == 2
