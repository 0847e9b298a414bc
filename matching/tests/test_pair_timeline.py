"""Issue 15 §1–§2: a pair confirmed before the cycle's start is 'gekoppeld', plans its introduction at once,
becomes active on the start date; the mentee's first contact is recorded and followed up (R8)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from matching import fit_checks, scoring, selectors, services
from matching.models import Cycle, FitCheck, Match
from matching.tests.factories import ApplicationFactory, CycleFactory, MentorApplicationFactory
from meetings import services as meeting_services
from meetings.models import Meeting

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# The coordinator matches on 30 November for a cycle that starts on 13 February (as in the issue).
MATCH_DAY = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=AMSTERDAM)
START = datetime.date(2027, 2, 13)


@pytest.fixture
def clock():
    with time_machine.travel(MATCH_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(clock):
    return CycleFactory(
        status=Cycle.Status.MATCHING,
        applications_open=datetime.date(2026, 10, 1),
        applications_close=datetime.date(2026, 11, 28),
        planned_start=START,
    )


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory()


@pytest.fixture
def pair(cycle, coordinator):
    mentor = MentorApplicationFactory(cycle=cycle, member=MemberFactory(full_name="Birgit Jansen"), capacity=1)
    mentee = ApplicationFactory(cycle=cycle, member=MemberFactory(full_name="Sanne Bakker"))
    return services.match_confirm(mentor_application=mentor, mentee_application=mentee, by=coordinator)


def at(day: datetime.date, hour=19):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=AMSTERDAM)


# --- §1 The honest state --------------------------------------------------------------


def test_a_pair_confirmed_before_the_start_is_gekoppeld_and_sees_each_others_details(pair):
    assert pair.status == Match.Status.CONFIRMED
    assert (pair.start_date, pair.confirmed_at) == (START, timezone.now())
    assert selectors.pair_state(match=pair) == "confirmed"
    assert selectors.may_see_contact_details(viewer=pair.mentee, person=pair.mentor)  # R8, from confirmation on
    assert list(selectors.matches_for_user(user=pair.mentee)) == [pair]


def test_the_pair_becomes_active_on_its_start_date_not_before(pair, clock):
    clock.move_to(at(START - datetime.timedelta(days=1), 0))
    assert services.matches_start_due() == 0

    clock.move_to(at(START, 0))
    assert services.matches_start_due() == 1
    pair.refresh_from_db()
    assert (pair.status, selectors.pair_state(match=pair)) == (Match.Status.ACTIVE, "active")


def test_the_introduction_can_be_planned_the_day_they_are_matched_before_the_start(pair):  # R8
    meeting = meeting_services.meeting_plan(
        match=pair,
        by=pair.mentee,
        starts_at=at(datetime.date(2026, 12, 3)),
        duration_minutes=60,
        is_introduction=True,
    )

    assert meeting.is_introduction and meeting.starts_at < at(START)


def test_a_meeting_before_the_match_is_refused_with_a_date_in_the_sites_format(pair, settings):
    settings.LANGUAGE_CODE = "nl"
    with pytest.raises(ValidationError) as refused:
        meeting_services.meeting_plan(
            match=pair, by=pair.mentee, starts_at=at(datetime.date(2026, 11, 29)), duration_minutes=60
        )

    assert refused.value.message_dict["starts_at"] == [
        "Jullie zijn gekoppeld op 30 november 2026: een afspraak kan niet eerder zijn."
    ]


def test_the_pair_page_says_gekoppeld_and_when_it_starts_never_actief(pair, client):
    client.force_login(pair.mentee)

    page = client.get(reverse("matching:pair_detail", args=[pair.pk])).content.decode()

    assert "gekoppeld" in page
    assert "Jullie mentorschap begint op 13 februari 2027" in page
    assert "actief" not in page.lower().replace("interactief", "")
    assert pair.mentor.email in page  # R8: her mentor's details from confirmation on


def test_the_mentees_mail_names_the_start_and_that_the_introduction_need_not_wait(
    pair, django_capture_on_commit_callbacks, mailoutbox
):
    from matching.signals import match_activated

    with django_capture_on_commit_callbacks(execute=True):
        match_activated.send(sender=Match, match_id=pair.pk)

    to_mentee = next(email for email in mailoutbox if email.to == [pair.mentee.email])
    assert "begint op 13 februari 2027" in to_mentee.body
    assert "hoef je niet te wachten" in to_mentee.body
    assert "binnen 14 dagen" in to_mentee.body
    assert reverse("matching:first_contact", args=[pair.pk]) in to_mentee.body


@pytest.fixture
def open_cycle(clock):
    """Applications still open until 15 December when the coordinator looks at the Koppelscherm."""
    return CycleFactory(
        status=Cycle.Status.OPEN,
        applications_open=datetime.date(2026, 11, 1),
        applications_close=datetime.date(2026, 12, 15),
        planned_start=START,
    )


def test_matching_while_applications_are_open_needs_the_coordinators_yes(open_cycle, coordinator):
    mentor = MentorApplicationFactory(cycle=open_cycle, capacity=1)
    mentee = ApplicationFactory(cycle=open_cycle)

    with pytest.raises(ValidationError) as refused:
        services.match_confirm(mentor_application=mentor, mentee_application=mentee, by=coordinator)
    assert refused.value.code == "window_open"
    assert not Match.objects.exists()

    match = services.match_confirm(
        mentor_application=mentor, mentee_application=mentee, by=coordinator, before_window_closes=True
    )
    assert match.status == Match.Status.CONFIRMED


def test_the_koppelscherm_says_the_window_is_open_and_matches_only_after_she_chose_to(open_cycle, client, coordinator):
    mentor = MentorApplicationFactory(cycle=open_cycle, capacity=1)
    mentee = ApplicationFactory(cycle=open_cycle)
    client.force_login(coordinator)
    screen = reverse("admin:matching_cycle_matching", args=[open_cycle.pk])

    page = client.get(screen).content.decode()
    assert "15 december 2026" in page
    assert 'name="before_window_closes"' not in page

    early = client.get(screen + "?early=1").content.decode()
    assert 'name="before_window_closes"' in early
    client.post(
        reverse("admin:matching_cycle_match", args=[open_cycle.pk]),
        {"mentor": mentor.pk, "mentee": mentee.pk, "before_window_closes": "on"},
    )
    assert Match.objects.filter(mentee=mentee.member, status=Match.Status.CONFIRMED).exists()


# --- §2 First contact (R8) -------------------------------------------------------------


def test_the_mail_link_asks_for_the_click_and_the_click_records_the_first_contact(pair, client):
    client.force_login(pair.mentee)
    url = reverse("matching:first_contact", args=[pair.pk])

    assert "Ik heb contact opgenomen" in client.get(url).content.decode()
    pair.refresh_from_db()
    assert pair.first_contact_at is None  # opening the link records nothing

    client.post(url)
    pair.refresh_from_db()
    assert pair.first_contact_at == timezone.now()


def test_only_the_mentee_says_she_made_contact_and_outsiders_get_404(pair, client):
    url = reverse("matching:first_contact", args=[pair.pk])
    assert client.get(url).status_code == 302 and "login" in client.get(url).url
    client.force_login(MemberFactory())
    assert client.post(url).status_code == 404
    client.force_login(pair.mentor)
    client.post(url)
    pair.refresh_from_db()
    assert pair.first_contact_at is None


def test_planning_a_meeting_counts_as_the_first_contact(pair):
    meeting_services.meeting_plan(
        match=pair, by=pair.mentor, starts_at=at(datetime.date(2026, 12, 10)), duration_minutes=60
    )

    pair.refresh_from_db()
    assert pair.first_contact_at is not None
    assert Meeting.objects.filter(match=pair).count() == 1


def test_the_reminder_is_due_from_day_14_and_coordinators_see_the_pair_from_day_21(pair, clock, settings):
    settings.MATCHING_FIRST_CONTACT_REMINDER_DAYS = 14
    settings.MATCHING_FIRST_CONTACT_ALERT_DAYS = 21
    day = MATCH_DAY.date()

    assert list(selectors.first_contact_reminder_due(today=day + datetime.timedelta(days=13))) == []
    assert list(selectors.first_contact_reminder_due(today=day + datetime.timedelta(days=14))) == [pair]
    assert list(selectors.pairs_without_first_contact(today=day + datetime.timedelta(days=20))) == []
    assert list(selectors.pairs_without_first_contact(today=day + datetime.timedelta(days=21))) == [pair]
    # Past the alert, the coordinators take over: no late reminder to her.
    assert list(selectors.first_contact_reminder_due(today=day + datetime.timedelta(days=21))) == []

    services.match_first_contact_record(match=pair, by=pair.mentee)
    assert list(selectors.pairs_without_first_contact(today=day + datetime.timedelta(days=30))) == []


def test_the_days_are_configurable(pair, settings):
    settings.MATCHING_FIRST_CONTACT_REMINDER_DAYS = 3
    day = MATCH_DAY.date()

    assert list(selectors.first_contact_reminder_due(today=day + datetime.timedelta(days=3))) == [pair]


# --- §3 Does it fit? On the pages -------------------------------------------------------------


@pytest.fixture
def introduced(pair, clock):
    """The introduction was held three days after the match."""
    clock.move_to(at(datetime.date(2026, 12, 3), 19))
    meeting = meeting_services.meeting_plan(
        match=pair, by=pair.mentee, starts_at=at(datetime.date(2026, 12, 3), 18), duration_minutes=60
    )
    meeting_services.meeting_mark_held(meeting=meeting, by=pair.mentee)
    return pair


def test_the_fit_question_is_only_for_the_pair(introduced, client, coordinator):
    url = reverse("matching:fit_check", args=[introduced.pk])
    assert "login" in client.get(url).url  # anonymous
    for outsider in (MemberFactory(), coordinator):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(introduced.mentee)
    assert "Past het?" in client.get(reverse("matching:pair_detail", args=[introduced.pk])).content.decode()
    assert client.get(url + "?answer=no").context["form"]["answer"].value() == FitCheck.Answer.NO


def test_her_answer_stays_hers_the_partner_never_sees_it(introduced, client):
    client.force_login(introduced.mentee)
    client.post(
        reverse("matching:fit_check", args=[introduced.pk]), {"answer": FitCheck.Answer.NO, "note": "Geen klik"}
    )

    client.force_login(introduced.mentor)
    page = client.get(reverse("matching:pair_detail", args=[introduced.pk])).content.decode()
    assert "Geen klik" not in page
    assert "Het past niet" not in page and ": niet" not in page
    assert "Past het?" in page  # her own question is still open


def test_coordinators_end_a_pair_that_does_not_fit_and_match_the_mentee_again(introduced, client, coordinator):
    fit_checks.fit_check_answer(match=introduced, member=introduced.mentee, answer=FitCheck.Answer.NO)
    other_mentor = MentorApplicationFactory(cycle=introduced.cycle, capacity=1)
    client.force_login(coordinator)
    screen = reverse("admin:matching_cycle_matching", args=[introduced.cycle_id])
    assert "Mentorschappen die niet passen" in client.get(screen).content.decode()

    response = client.post(
        reverse("admin:matching_match_end_early", args=[introduced.pk]),
        {"reason": "Past niet na kennismaking", "category": "fit"},
    )
    assert response.url == screen
    page = client.get(screen).content.decode()
    assert "opnieuw te koppelen" in page
    assert introduced.mentee.full_name in page

    client.post(
        reverse("admin:matching_cycle_match", args=[introduced.cycle_id]),
        {"mentor": other_mentor.pk, "mentee": introduced.mentee_application_id},
    )
    rematched = Match.objects.get(mentee=introduced.mentee, status=Match.Status.CONFIRMED)
    assert rematched.mentor == other_mentor.member


def test_a_pair_that_ended_early_is_not_suggested_or_made_again_in_the_cycle(introduced, coordinator):
    mentor_application = introduced.mentor_application
    mentor_application.capacity = 2  # she still has a place: only the ended pair stands in the way
    mentor_application.save()
    services.match_end_early(match=introduced, by=coordinator, reason="Past niet", category="fit")

    mentors, mentees, _names = selectors.cycle_candidates(cycle=introduced.cycle)
    table = scoring.score_table(mentors, mentees)
    row = next(i for i, c in enumerate(mentees) if c.member_id == introduced.mentee_id)
    column = next(i for i, c in enumerate(mentors) if c.member_id == introduced.mentor_id)

    assert not table.allowed[row, column]
    assert scoring.explain(mentors[column], mentees[row]) is None
    with pytest.raises(ValidationError, match="eerder gekoppeld geweest"):
        services.match_propose(
            mentor_application=mentor_application,
            mentee_application=introduced.mentee_application,
            by=coordinator,
        )


def test_a_bad_fit_answer_is_refused_in_dutch_and_nothing_is_saved(introduced, client):
    client.force_login(introduced.mentee)
    response = client.post(reverse("matching:fit_check", args=[introduced.pk]), {"answer": "misschien", "note": "x"})

    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not introduced.fit_checks.exclude(answer="").exists()
