"""The coordinators' cockpit "Coördinatie" (issue 16 §1): access, contents, year plan, query budget."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import MemberListImport, MembershipType, Profile, Region, User, VerificationStatus
from accounts.tests.factories import CoordinatorFactory, MemberFactory, ProfileFactory
from coordination import cockpit as coordination
from evaluations import services as evaluation_services
from evaluations.models import EvaluationRound, Invitation, Question, Receipt, Response
from evaluations.tests.factories import EvaluationRoundFactory
from matching import services as matching_services
from matching.models import Application, Cycle, FitCheck, Match, Role
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory
from meetings import services as meeting_services
from meetings.models import Meeting
from meetings.tests.factories import HeldMeetingFactory

pytestmark = pytest.mark.django_db
URL = reverse("coordination")


# --- Access: anonymous, member, staff outside the group, coordinator ---------------------------------


def test_anonymous_visitors_get_404(client):
    assert client.get(URL).status_code == 404


def test_members_get_404(client):
    client.force_login(MemberFactory())
    assert client.get(URL).status_code == 404


def test_staff_outside_the_coordinators_group_get_404(client):
    client.force_login(MemberFactory(is_staff=True))
    assert client.get(URL).status_code == 404


def test_coordinators_see_the_page_linked_from_the_header_and_the_admin_index(client):
    client.force_login(CoordinatorFactory())

    response = client.get(URL)

    assert response.status_code == 200
    assert f'href="{URL}"' in client.get(reverse("dashboard")).content.decode()
    assert f'href="{URL}"' in client.get(reverse("admin:index")).content.decode()


# --- Contents --------------------------------------------------------------------------------------


def test_the_funnel_counts_and_links_to_the_filtered_lists(client):
    cycle = CycleFactory(status=Cycle.Status.MATCHING)
    mentor = MentorApplicationFactory(cycle=cycle, capacity=2)
    mentee = ApplicationFactory(cycle=cycle)
    ApplicationFactory(cycle=cycle)  # still waiting
    Match.objects.create(
        cycle=cycle,
        mentor=mentor.member,
        mentee=mentee.member,
        mentor_application=mentor,
        mentee_application=mentee,
        status=Match.Status.PROPOSED,
    )
    ProfileFactory()  # registered, not verified
    client.force_login(CoordinatorFactory())

    context = client.get(URL).context
    funnel = {str(step.label): step for step in context["funnel"]}

    assert funnel["geregistreerd"].count == 4
    assert funnel["geverifieerd"].count == 3
    assert funnel["aangemeld als mentee"].count == 2
    assert funnel["aangemeld als mentor"].count == 1
    assert funnel["gekoppeld"].count == 1
    assert "role__exact=mentee" in funnel["aangemeld als mentee"].url
    assert f"cycle__id__exact={cycle.pk}" in funnel["aangemeld als mentee"].url
    assert context["funnel_extra"]["mentor_places_free"] == 1
    assert context["funnel_extra"]["mentees_waiting"] == 1
    # Each link opens the list it counts.
    assert client.get(funnel["aangemeld als mentee"].url).context["cl"].result_count == 2


def test_a_mentor_pausing_this_cycle_offers_no_free_place():  # issue 25 §4
    cycle = CycleFactory(status=Cycle.Status.MATCHING)
    MentorApplicationFactory(cycle=cycle, capacity=3, paused=True)
    MentorApplicationFactory(cycle=cycle, capacity=2)

    _steps, extra = coordination.funnel(cycle)

    assert extra["mentor_places_free"] == 2


def test_needs_attention_lists_the_members_and_pairs_behind_each_count(client):
    waiting = ProfileFactory()
    quiet = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(weeks=7))
    client.force_login(CoordinatorFactory())

    attention = {str(item.label): item for item in client.get(URL).context["attention"]}

    assert attention["leden die wachten op verificatie"].count == 1
    assert str(waiting.user) in attention["leden die wachten op verificatie"].names
    quiet_item = attention["mentorschappen zonder gehouden afspraak zes weken na de start"]
    assert quiet_item.names == [f"{quiet.mentor} – {quiet.mentee}"]
    assert client.get(quiet_item.url).context["cl"].result_count == 1


def test_the_renewed_figure_links_to_every_later_term_it_counts(client):  # R5
    cycle = CycleFactory(status=Cycle.Status.RUNNING, planned_start=timezone.localdate() - datetime.timedelta(days=30))
    for term in (1, 2, 3):
        ActiveMatchFactory(cycle=cycle, term=term)
    client.force_login(CoordinatorFactory())

    funnel = {str(step.label): step for step in client.get(URL + f"?cyclus={cycle.pk}").context["funnel"]}

    assert funnel["verlengd"].count == 2
    assert client.get(funnel["verlengd"].url).context["cl"].result_count == 2


def test_pairs_without_first_contact_21_days_after_the_match_need_attention(client):  # R8, issue 15 §2
    now = timezone.now()
    # Matched 22 days ago for a cycle that has not started yet: the clock runs from the match.
    silent = ActiveMatchFactory(
        status=Match.Status.CONFIRMED,
        confirmed_at=now - datetime.timedelta(days=22),
        start_date=timezone.localdate() + datetime.timedelta(days=60),
    )
    contacted = ActiveMatchFactory(confirmed_at=now - datetime.timedelta(days=22))
    meeting_services.meeting_plan(
        match=contacted, by=contacted.mentee, starts_at=now + datetime.timedelta(days=3), duration_minutes=60
    )  # planning the introduction records the first contact
    ActiveMatchFactory(confirmed_at=now - datetime.timedelta(days=20))  # still has time
    client.force_login(CoordinatorFactory())

    attention = {str(item.label): item for item in client.get(URL).context["attention"]}

    item = attention["mentorschappen zonder eerste contact 21 dagen na het koppelen (R8)"]
    assert item.names == [f"{silent.mentor} – {silent.mentee}"]


def test_a_pair_where_a_partner_said_it_does_not_fit_needs_attention(client):  # issue 15 §3
    fitting, not_fitting = ActiveMatchFactory(), ActiveMatchFactory()
    for pair, answer in ((fitting, FitCheck.Answer.GOOD), (not_fitting, FitCheck.Answer.NO)):
        FitCheck.objects.create(
            match=pair,
            member=pair.mentee,
            round=1,
            answer=answer,
            note="GEHEIME-TOELICHTING",
            answered_at=timezone.now(),
        )
    client.force_login(CoordinatorFactory())

    response = client.get(URL)
    attention = {str(item.label): item for item in response.context["attention"]}

    item = attention["mentorschappen waarin iemand zegt dat het niet past"]
    assert item.count == 1 and item.names == [f"{not_fitting.mentor} – {not_fitting.mentee}"]
    assert "GEHEIME-TOELICHTING" not in response.content.decode()  # her note stays in the admin's own view
    listed = client.get(item.url)
    assert listed.status_code == 200, listed.status_code
    assert listed.context["cl"].result_count == 1


def test_the_page_shows_counts_and_dates_never_what_a_pair_or_a_mentee_wrote(client):
    match = ActiveMatchFactory(start_date=timezone.localdate() - datetime.timedelta(weeks=7))
    Application.objects.create(
        cycle=match.cycle, member=match.mentee, role=Role.MENTEE, mentoring_question="GEHEIME-MENTORVRAAG"
    )
    Meeting.objects.create(
        match=match,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        duration_minutes=60,
        topics=["GEHEIM-ONDERWERP"],
        created_by=match.mentee,
    )
    client.force_login(CoordinatorFactory())

    page = client.get(URL).content.decode()

    assert "GEHEIME-MENTORVRAAG" not in page
    assert "GEHEIM-ONDERWERP" not in page


# --- Year plan ----------------------------------------------------------------------------------------


def _steps(cycle, today):
    context = coordination.cockpit(cycle_id=cycle.pk, today=today)
    return {step.key: step for step in context["plan"]}, context["next_step"]


def test_the_year_plan_is_generated_from_the_cycles_dates_and_marked_done_from_the_data():
    today = timezone.localdate()
    cycle = CycleFactory(
        status=Cycle.Status.DRAFT,
        applications_open=today + datetime.timedelta(days=30),
        applications_close=today + datetime.timedelta(days=60),
        planned_start=today + datetime.timedelta(days=90),
    )

    steps, next_step = _steps(cycle, today)
    assert [step.key for step in steps.values()] == [
        "import",
        "open",
        "close",
        "match",
        "start",
        "interim",
        "renewal",
        "final",
        "closed",
    ]
    assert steps["open"].due == cycle.applications_open
    assert steps["start"].due == cycle.planned_start
    assert steps["interim"].due == cycle.planned_start + relativedelta(months=6)
    assert steps["final"].due == cycle.planned_start + relativedelta(months=12)
    assert next_step.key == "import"
    assert not any(step.done for step in steps.values())

    MemberListImport.objects.create(row_count=10)
    cycle.status = Cycle.Status.OPEN
    cycle.save()

    steps, next_step = _steps(cycle, today)
    assert steps["import"].done and steps["open"].done
    assert next_step.key == "close"
    assert next_step.due == cycle.applications_close


def test_the_weekly_digest_points_at_the_same_next_step():
    today = timezone.localdate()
    CycleFactory(status=Cycle.Status.OPEN)

    step = coordination.programme_next_step(today=today)

    assert step.key == "import"


# --- Evaluations --------------------------------------------------------------------------------------


def test_evaluations_show_invitations_response_rate_and_whether_results_can_be_shown(client, settings):
    settings.EVALUATION_MIN_GROUP_SIZE = 3
    today = timezone.localdate()
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    closed = EvaluationRoundFactory(
        cycle=cycle,
        audience=EvaluationRound.Audience.MENTEES,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=1),
    )
    for number in range(4):
        match = ActiveMatchFactory(cycle=cycle)
        invitation = Invitation.objects.create(round=closed, user=match.mentee, role=Role.MENTEE)
        if number < 3:
            Receipt.objects.create(invitation=invitation)
    client.force_login(CoordinatorFactory())

    summary = client.get(URL, {"cyclus": cycle.pk}).context["evaluations"][0]

    assert (summary.invited, summary.submitted, summary.rate, summary.can_show) == (4, 3, 75, True)


# --- Query budget at 10,000 members --------------------------------------------------------------------


def _many_members(count: int) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"lid{number}@groot.example.org", full_name=f"Lid {number}") for number in range(count)
    )
    Profile.objects.bulk_create(
        Profile(
            user=user,
            membership_number=str(500000 + number),
            membership_type=MembershipType.MEMBER,
            confirms_female_member=True,
            organisation=f"Kantoor {number % 300}",
            job_title="Adviseur",
            career_start_year=2010,
            region=Region.UTRECHT,
            verification_status=VerificationStatus.VERIFIED if number % 10 else VerificationStatus.PENDING,
            verified_at=timezone.now() if number % 10 else None,
            needs_review=number % 97 == 0,
        )
        for number, user in enumerate(users)
    )
    return users


def test_the_page_reads_no_mentoring_question(client):
    """Counts and names only (R11): the lists of waiting mentees read their names, not the rest of the application."""
    cycle = CycleFactory(status=Cycle.Status.MATCHING)
    ApplicationFactory(cycle=cycle, mentoring_question="Hoe word ik partner?")
    client.force_login(CoordinatorFactory())

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert response.status_code == 200
    assert not [query["sql"] for query in queries if "mentoring_question" in query["sql"]]


def test_the_page_stays_within_23_queries_at_10000_members(client, django_assert_max_num_queries):
    users = _many_members(10_000)
    today = timezone.localdate()
    cycle = CycleFactory(status=Cycle.Status.RUNNING, planned_start=today - datetime.timedelta(days=200))
    applications = Application.objects.bulk_create(
        Application(cycle=cycle, member=user, role=Role.MENTOR if number % 3 == 0 else Role.MENTEE, capacity=1)
        for number, user in enumerate(users[:3000])
    )
    mentors = [a for a in applications if a.role == Role.MENTOR]
    mentees = [a for a in applications if a.role == Role.MENTEE]
    Match.objects.bulk_create(
        Match(
            cycle=cycle,
            mentor=mentor.member,
            mentee=mentee.member,
            mentor_application=mentor,
            mentee_application=mentee,
            status=Match.Status.ACTIVE,
            start_date=today - datetime.timedelta(days=200),
            planned_end=today + datetime.timedelta(days=30),
        )
        for mentor, mentee in zip(mentors, mentees, strict=False)
    )
    EvaluationRoundFactory(cycle=cycle, kind=EvaluationRound.Kind.INTERIM)
    # The year's final evaluation has closed and is published: the chart counts 2,000 responses.
    final = EvaluationRoundFactory(
        cycle=cycle,
        kind=EvaluationRound.Kind.FINAL,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=2),
    )
    evaluation_services.round_add_default_questions(round=final)
    scale = [question for question in final.questions.all() if question.kind == Question.Kind.SCALE]
    Response.objects.bulk_create(
        Response(
            round=final,
            role=Role.MENTOR if number % 2 else Role.MENTEE,
            answers={str(question.pk): 1 + number % 5 for question in scale},
        )
        for number in range(2000)
    )
    client.force_login(CoordinatorFactory())

    # 15 for the page, 7 for its charts (issue 27 §1): the year report's funnel (registrations,
    # applications, pairs), the meetings per month, and the evaluation's sealed ballots waiting, its
    # questions and its counts (one query on PostgreSQL, three on SQLite's json_each); pairs by state
    # reuse the page's own count; 1 for the goal counts (issue 26 §3: pairs with goals, achieved), one
    # aggregate. None of them grows with the members.
    with django_assert_max_num_queries(25 if connection.vendor == "sqlite" else 23):
        response = client.get(URL)

    assert response.status_code == 200
    funnel = {str(step.label): step.count for step in response.context["funnel"]}
    assert funnel["geregistreerd"] == 10_000
    evaluation = next(chart for chart in response.context["charts"] if chart.key == "evaluation")
    assert [row.value for row in evaluation.rows if row.label.startswith("Antwoorden")] == ["1000", "1000"]


# --- The cockpit asks the apps' rules ----------------------------------------------------------------


def _held(match, count):
    for days in range(count):
        HeldMeetingFactory(match=match, starts_at=timezone.now() - datetime.timedelta(days=days + 1))


def test_r10_a_pair_with_two_meetings_held_is_not_behind_one_with_one_is(client):
    today = timezone.localdate()
    ending = {"start_date": today - relativedelta(months=11), "planned_end": today + relativedelta(months=1)}
    two, one = ActiveMatchFactory(**ending), ActiveMatchFactory(**ending)
    _held(two, 2)
    _held(one, 1)
    client.force_login(CoordinatorFactory())

    attention = {str(item.label): item for item in client.get(URL).context["attention"]}

    item = attention["mentorschappen met minder dan twee afspraken en nog twee maanden te gaan"]
    assert item.names == [f"{one.mentor} – {one.mentee}"]
    # Its link lists exactly the pairs it counts.
    assert [row.pk for row in client.get(item.url).context["cl"].result_list] == [one.pk]


def test_each_list_is_counted_and_its_first_names_picked_by_the_database(monkeypatch):  # issue 24 §1
    today = timezone.localdate()
    quiet = [ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=7, days=n)) for n in range(12)]
    ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=2))  # not quiet yet
    pending = [ProfileFactory(verification_status=VerificationStatus.PENDING) for _ in range(10)]
    read = []
    for model in (Match, Profile):
        original = model.from_db.__func__

        def spy(cls, *args, _original=original, **kwargs):
            read.append(cls)
            return _original(cls, *args, **kwargs)

        monkeypatch.setattr(model, "from_db", classmethod(spy))

    attention = {str(item.label): item for item in coordination.needs_attention(None, today=today)}

    quiet_item = attention["mentorschappen zonder gehouden afspraak zes weken na de start"]
    assert quiet_item.count == 12
    oldest_first = sorted(quiet, key=lambda match: match.start_date)[: coordination.NAMES_SHOWN]
    assert quiet_item.names == [f"{match.mentor} – {match.mentee}" for match in oldest_first]
    members = attention["leden die wachten op verificatie"]
    assert members.count == 10
    assert members.names == [str(profile.user) for profile in pending[: coordination.NAMES_SHOWN]]
    # Only the names shown come into Python, never every open pair or waiting member.
    assert read.count(Match) == coordination.NAMES_SHOWN
    assert read.count(Profile) == coordination.NAMES_SHOWN


def test_a_quiet_pair_needs_six_weeks_since_its_start(client):
    today = timezone.localdate()
    quiet = ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=6))
    ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=5))
    client.force_login(CoordinatorFactory())

    attention = {str(item.label): item for item in client.get(URL).context["attention"]}

    assert attention["mentorschappen zonder gehouden afspraak zes weken na de start"].names == [
        f"{quiet.mentor} – {quiet.mentee}"
    ]


def test_a_chosen_cycle_narrows_the_pairs_and_the_page_says_so(client):
    today = timezone.localdate()
    ours = ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=7))
    theirs = ActiveMatchFactory(start_date=today - datetime.timedelta(weeks=7))
    client.force_login(CoordinatorFactory())

    everything = client.get(URL)
    chosen = client.get(URL + f"?cyclus={ours.cycle.pk}")

    label = "mentorschappen zonder gehouden afspraak zes weken na de start"
    assert {str(i.label): i for i in everything.context["attention"]}[label].count == 2
    assert {str(i.label): i for i in chosen.context["attention"]}[label].names == [f"{ours.mentor} – {ours.mentee}"]
    assert theirs.cycle != ours.cycle
    assert "dezelfde lijst als in de wekelijkse e-mail" in everything.content.decode()
    assert f"van cyclus {ours.cycle.name}" in chosen.content.decode()


def test_withdrawn_means_withdrawn_in_the_last_week_not_edited_in_it(client):
    withdrawn = ApplicationFactory()
    matching_services.application_withdraw(application=withdrawn, by=withdrawn.member)
    Application.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now() - datetime.timedelta(days=8))
    client.force_login(CoordinatorFactory())

    attention = {str(item.label): item for item in client.get(URL).context["attention"]}

    assert attention["afmeldingen en voortijdig beëindigde mentorschappen sinds vorige week"].count == 0


def test_the_lists_are_compiled_once_per_day_and_cycle_and_still_read_the_rows_of_the_moment():  # issue 24
    today = timezone.localdate()

    def waiting():
        items = {str(item.label): item for item in coordination.needs_attention(None, today=today)}
        return items["leden die wachten op verificatie"]

    coordination._COMPILED_LISTS.clear()
    first = ProfileFactory()
    assert waiting().count == 1
    keys = set(coordination._COMPILED_LISTS)
    assert ("pairs", today, None) in keys and ("members",) in keys
    second = ProfileFactory()  # registered after the lists were compiled: the next page counts her
    with CaptureQueriesContext(connection) as queries:
        item = waiting()
    assert item.count == 2 and item.names == [str(first.user), str(second.user)]
    assert set(coordination._COMPILED_LISTS) == keys  # the same day and cycle: nothing compiled again
    assert len(queries) == 5  # members, applications, pairs, withdrawals, failed e-mails
    coordination.needs_attention(None, today=today + datetime.timedelta(days=1))
    assert ("pairs", today + datetime.timedelta(days=1), None) in coordination._COMPILED_LISTS


def test_a_change_of_settings_forgets_the_compiled_lists(settings):
    coordination.needs_attention(None, today=timezone.localdate())
    assert coordination._COMPILED_LISTS
    settings.MATCHING_FIRST_CONTACT_ALERT_DAYS = 30
    assert not coordination._COMPILED_LISTS
