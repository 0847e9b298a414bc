"""Issue 23: stored choices became stable English codes. A row written with the old Dutch value
before the migrations reads the English code after them, and migrating back restores the Dutch.

Runs the real migrations (MigrationExecutor) on the test database, SQLite or PostgreSQL.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import MembershipType, Profile, Region, VerificationStatus
from evaluations.models import EvaluationRound, Question
from matching.models import Application, Cycle, FitCheck, Match, MatchingProposal
from meetings.models import Meeting, MentorTopic
from notifications.models import OutboxMessage

BEFORE = [
    ("accounts", "0007_list_order_indexes"),
    ("matching", "0010_list_order_indexes"),
    ("meetings", "0003_constraint_messages"),
    ("notifications", "0005_constraint_messages"),
    ("evaluations", "0005_round_sealed_with"),
]
AFTER = [
    ("accounts", "0008_english_choice_codes"),
    ("matching", "0011_english_choice_codes"),
    ("meetings", "0004_english_choice_codes"),
    ("notifications", "0006_english_choice_codes"),
    ("evaluations", "0006_english_choice_codes"),
]

# Schema changes on SQLite cannot run inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _old_rows(apps):
    """One of everything, stored the way the code wrote it before issue 23."""
    user_model = apps.get_model("accounts", "User")
    mentor = user_model.objects.create(email="mentor@example.org", full_name="Mentor")
    mentee = user_model.objects.create(email="mentee@example.org", full_name="Mentee")
    apps.get_model("accounts", "Profile").objects.create(
        user=mentee,
        membership_number="1234",
        membership_type="lid",
        organisation="NOB",
        job_title="Adviseur",
        career_start_year=2010,
        region="buitenland",
        meeting_preference="virtueel",
        verification_status="geverifieerd",
        verified_at=timezone.now(),
    )
    today = datetime.date(2026, 1, 1)
    cycle = apps.get_model("matching", "Cycle").objects.create(
        name="2026", applications_open=today, applications_close=today, planned_start=today, status="lopend"
    )
    application_model = apps.get_model("matching", "Application")
    submitted = application_model.objects.create(cycle=cycle, member=mentee, role="mentee", status="ingediend")
    withdrawn = application_model.objects.create(
        cycle=cycle, member=mentor, role="mentor", status="ingetrokken", meeting_preference="in_persoon"
    )
    match_model = apps.get_model("matching", "Match")
    active = match_model.objects.create(
        cycle=cycle,
        mentor=mentor,
        mentee=mentee,
        status="actief",
        start_date=today,
        planned_end=today + datetime.timedelta(days=365),
    )
    ended = match_model.objects.create(cycle=cycle, mentor=mentor, mentee=mentee, status="beeindigd")
    apps.get_model("matching", "MatchingProposal").objects.create(cycle=cycle, status="bevestigd")
    apps.get_model("matching", "FitCheck").objects.create(
        match=active, member=mentee, answer="niet", answered_at=timezone.now()
    )
    meeting = apps.get_model("meetings", "Meeting").objects.create(
        match=active,
        starts_at=timezone.now(),
        duration_minutes=60,
        mode="virtueel",
        status="gehouden",
        topics=["missie", "kansen"],
    )
    outbox_model = apps.get_model("notifications", "OutboxMessage")
    sent = outbox_model.objects.create(
        kind="match_mentee", recipient=mentee, status="verzonden", sent_at=timezone.now()
    )
    decision = outbox_model.objects.create(
        kind="verification_decision", recipient=mentee, period="g1700000000000", status="wacht"
    )
    round_ = apps.get_model("evaluations", "EvaluationRound").objects.create(
        cycle=cycle, name="Halverwege", kind="tussentijds", audience="mentoren", opens_on=today, closes_on=today
    )
    question = apps.get_model("evaluations", "Question").objects.create(
        round=round_, kind="meerkeuze", asked_of="beide", text="Hoe?"
    )
    return {
        "cycle": cycle.pk,
        "submitted": submitted.pk,
        "withdrawn": withdrawn.pk,
        "active": active.pk,
        "ended": ended.pk,
        "meeting": meeting.pk,
        "sent": sent.pk,
        "decision": decision.pk,
        "round": round_.pk,
        "question": question.pk,
        "mentee": mentee.pk,
        "mentor": mentor.pk,
    }


def test_dutch_values_stored_before_read_as_english_codes_after_and_back():
    latest = _latest()
    try:
        rows = _old_rows(_migrate(BEFORE))

        _migrate(AFTER)
        # Today's models read today's schema: the later migrations too (a pair ended early before
        # issue 27 has no reason category: "unknown").
        _migrate(latest)

        # Today's models (and their enums) read the migrated rows.
        assert Match.objects.get(pk=rows["active"]).status == Match.Status.ACTIVE == "active"
        assert Match.objects.get(pk=rows["ended"]).status == Match.Status.ENDED_EARLY == "ended_early"
        assert Match.objects.get(pk=rows["ended"]).end_category == Match.EndCategory.UNKNOWN
        assert Match.objects.get(pk=rows["active"]).end_category == ""
        assert Application.objects.get(pk=rows["submitted"]).status == Application.Status.SUBMITTED == "submitted"
        withdrawn = Application.objects.get(pk=rows["withdrawn"])
        assert withdrawn.status == Application.Status.WITHDRAWN == "withdrawn"
        assert withdrawn.meeting_preference == "in_person"
        assert Application.objects.get(pk=rows["submitted"]).meeting_preference == "both"
        assert Cycle.objects.get(pk=rows["cycle"]).status == Cycle.Status.RUNNING == "running"
        assert MatchingProposal.objects.get().status == MatchingProposal.Status.CONFIRMED
        assert FitCheck.objects.get().answer == FitCheck.Answer.NO == "no"
        profile = Profile.objects.get(user_id=rows["mentee"])
        assert (profile.membership_type, profile.region, profile.meeting_preference, profile.verification_status) == (
            MembershipType.MEMBER,
            Region.ABROAD,
            "virtual",
            VerificationStatus.VERIFIED,
        )
        meeting = Meeting.objects.get(pk=rows["meeting"])
        assert (meeting.status, meeting.mode) == (Meeting.Status.HELD, Meeting.Mode.VIRTUAL)
        assert meeting.topics == [MentorTopic.MISSION, MentorTopic.OPPORTUNITIES]
        assert OutboxMessage.objects.get(pk=rows["sent"]).status == OutboxMessage.Status.SENT
        decision = OutboxMessage.objects.get(pk=rows["decision"])
        assert (decision.status, decision.period) == (OutboxMessage.Status.PENDING, "v1700000000000")
        evaluation_round = EvaluationRound.objects.get(pk=rows["round"])
        assert (evaluation_round.kind, evaluation_round.audience) == ("interim", "mentors")
        question = Question.objects.get(pk=rows["question"])
        assert (question.kind, question.asked_of) == (Question.Kind.MULTIPLE_CHOICE, "both")
        # The re-added constraint reads the new codes: a second live pair for her in the cycle is refused.
        with pytest.raises(IntegrityError), transaction.atomic():
            Match.objects.create(
                cycle_id=rows["cycle"], mentor_id=rows["mentor"], mentee_id=rows["mentee"], status="proposed"
            )

        old = _migrate(BEFORE)

        assert old.get_model("matching", "Match").objects.get(pk=rows["active"]).status == "actief"
        assert old.get_model("matching", "Match").objects.get(pk=rows["ended"]).status == "beeindigd"
        assert old.get_model("matching", "Application").objects.get(pk=rows["withdrawn"]).status == "ingetrokken"
        assert old.get_model("meetings", "Meeting").objects.get(pk=rows["meeting"]).topics == ["missie", "kansen"]
        assert old.get_model("notifications", "OutboxMessage").objects.get(pk=rows["decision"]).period[:1] == "g"
        assert old.get_model("evaluations", "Question").objects.get(pk=rows["question"]).kind == "meerkeuze"
    finally:
        _migrate(latest)
