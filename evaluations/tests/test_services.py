import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import MemberFactory
from evaluations import selectors, services
from evaluations.models import EvaluationRound, Invitation, Question, Receipt, Response, Role, SealedBallot
from evaluations.tests.factories import EvaluationRoundFactory, answers_for, invitation_for_new_pair, publish
from matching.models import Match
from matching.tests.factories import ActiveMatchFactory

pytestmark = pytest.mark.django_db


# --- Invitations ------------------------------------------------------------------------------------


def test_every_mentor_and_mentee_of_the_cycle_is_invited_once_and_again_is_a_no_op(evaluation_round):
    first = ActiveMatchFactory(cycle=evaluation_round.cycle)
    second = ActiveMatchFactory(cycle=evaluation_round.cycle, mentor=first.mentor)  # a mentor with two mentees

    assert services.invitations_ensure(round=evaluation_round) == 3
    assert services.invitations_ensure(round=evaluation_round) == 0

    invited = set(evaluation_round.invitations.values_list("user", "role"))
    assert invited == {
        (first.mentor.pk, Role.MENTOR),
        (first.mentee.pk, Role.MENTEE),
        (second.mentee.pk, Role.MENTEE),
    }


def test_someone_who_is_mentor_and_mentee_gets_one_invitation_per_role(evaluation_round):
    sandra = MemberFactory()
    ActiveMatchFactory(cycle=evaluation_round.cycle, mentor=sandra)
    ActiveMatchFactory(cycle=evaluation_round.cycle, mentee=sandra)

    services.invitations_ensure(round=evaluation_round)

    assert set(Invitation.objects.filter(user=sandra).values_list("role", flat=True)) == {"mentor", "mentee"}


def test_a_round_for_mentees_invites_only_mentees(evaluation_round):
    evaluation_round.audience = EvaluationRound.Audience.MENTEES
    evaluation_round.save()
    match = ActiveMatchFactory(cycle=evaluation_round.cycle)

    services.invitations_ensure(round=evaluation_round)

    assert list(evaluation_round.invitations.values_list("user", "role")) == [(match.mentee.pk, "mentee")]


def test_an_interim_round_skips_finished_pairs_and_a_final_round_includes_completed_ones(evaluation_round):
    completed = ActiveMatchFactory(cycle=evaluation_round.cycle, status=Match.Status.COMPLETED)
    ActiveMatchFactory(cycle=evaluation_round.cycle, status=Match.Status.ENDED_EARLY)
    final = EvaluationRoundFactory(cycle=evaluation_round.cycle, kind=EvaluationRound.Kind.FINAL)

    assert services.invitations_ensure(round=evaluation_round) == 0
    assert services.invitations_ensure(round=final) == 2
    assert set(final.invitations.values_list("user", flat=True)) == {completed.mentor.pk, completed.mentee.pk}


def test_a_round_after_renewal_is_for_renewed_terms_only(evaluation_round):  # R5
    first_term = ActiveMatchFactory(cycle=evaluation_round.cycle)
    renewed = ActiveMatchFactory(cycle=evaluation_round.cycle, term=2)
    renewal = EvaluationRoundFactory(cycle=evaluation_round.cycle, kind=EvaluationRound.Kind.AFTER_RENEWAL)

    services.invitations_ensure(round=renewal)

    invited = set(renewal.invitations.values_list("user", flat=True))
    assert invited == {renewed.mentor.pk, renewed.mentee.pk}
    assert first_term.mentee.pk not in invited


def test_invitation_tokens_are_long_random_and_unique(evaluation_round):
    tokens = {invitation_for_new_pair(evaluation_round).token for _n in range(5)}

    assert len(tokens) == 5
    assert all(len(token) >= 40 for token in tokens)


def test_the_personal_link_contains_the_token(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)

    assert invitation.get_absolute_url() == f"/evaluaties/{invitation.token}/"


def test_rounds_open_on_a_day_include_the_first_and_last_day(evaluation_round):
    today = timezone.localdate()
    later = EvaluationRoundFactory(opens_on=today + datetime.timedelta(days=3), closes_on=today + datetime.timedelta(9))

    assert list(selectors.rounds_open_on(today)) == [evaluation_round]
    assert later in selectors.rounds_open_on(later.opens_on)
    assert later in selectors.rounds_open_on(later.closes_on)
    assert later not in selectors.rounds_open_on(later.closes_on + datetime.timedelta(days=1))


def test_invitations_without_receipt_are_the_ones_to_remind(evaluation_round):
    answered = invitation_for_new_pair(evaluation_round)
    waiting = invitation_for_new_pair(evaluation_round)
    services.response_submit(invitation=answered, user=answered.user, answers=answers_for(evaluation_round))

    assert list(selectors.invitations_without_receipt(round=evaluation_round)) == [waiting]


# --- Submitting ---------------------------------------------------------------------------------------


def test_double_submission_is_refused_and_stores_nothing_more(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)
    services.response_submit(invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round))

    with pytest.raises(ValidationError, match="al ingestuurd"):
        services.response_submit(invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round))

    assert SealedBallot.objects.count() == 1
    assert Receipt.objects.count() == 1


def test_submission_without_an_invitation_is_refused(evaluation_round):
    with pytest.raises(ValidationError):
        services.response_submit(invitation=None, user=MemberFactory(), answers=answers_for(evaluation_round))

    assert not SealedBallot.objects.exists()


def test_submission_with_someone_elses_invitation_is_refused(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)

    with pytest.raises(ValidationError):
        services.response_submit(invitation=invitation, user=MemberFactory(), answers=answers_for(evaluation_round))

    assert not SealedBallot.objects.exists()
    assert not Receipt.objects.exists()


def test_submission_outside_the_round_dates_is_refused(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)
    evaluation_round.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    evaluation_round.opens_on = evaluation_round.closes_on - datetime.timedelta(days=10)
    evaluation_round.save()
    invitation.refresh_from_db()

    with pytest.raises(ValidationError, match="niet open"):
        services.response_submit(invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round))


@pytest.mark.parametrize("value", ["0", "6", "7", "drie", ""])
def test_a_scale_value_outside_1_to_5_is_refused(evaluation_round, value):
    invitation = invitation_for_new_pair(evaluation_round)
    scale = evaluation_round.questions.filter(kind=Question.Kind.SCALE).first()
    answers = answers_for(evaluation_round)
    answers[f"q_{scale.pk}"] = value

    with pytest.raises(ValidationError) as error:
        services.response_submit(invitation=invitation, user=invitation.user, answers=answers)

    assert f"q_{scale.pk}" in error.value.message_dict
    assert not Receipt.objects.exists()


def test_optional_questions_may_stay_empty_and_are_left_out(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)
    answers = answers_for(evaluation_round)
    optional = list(evaluation_round.questions.filter(required=False))
    for question in optional:
        answers[f"q_{question.pk}"] = [] if question.kind == Question.Kind.MULTIPLE_CHOICE else ""

    services.response_submit(invitation=invitation, user=invitation.user, answers=answers)
    publish(evaluation_round)

    stored = Response.objects.get().answers
    assert optional
    assert not any(str(question.pk) in stored for question in optional)


def test_choices_are_stored_as_option_positions(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)
    multiple = evaluation_round.questions.get(kind=Question.Kind.MULTIPLE_CHOICE)
    answers = answers_for(evaluation_round)
    answers[f"q_{multiple.pk}"] = ["3", "1"]

    services.response_submit(invitation=invitation, user=invitation.user, answers=answers)
    publish(evaluation_round)

    assert Response.objects.get().answers[str(multiple.pk)] == [1, 3]


def test_an_option_that_does_not_exist_is_refused(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round)
    single = evaluation_round.questions.get(kind=Question.Kind.SINGLE_CHOICE)
    answers = answers_for(evaluation_round)
    answers[f"q_{single.pk}"] = "9"

    with pytest.raises(ValidationError):
        services.response_submit(invitation=invitation, user=invitation.user, answers=answers)


def test_a_question_for_mentors_is_not_asked_of_mentees(evaluation_round):
    mentors_only = Question.objects.create(
        round=evaluation_round,
        order=99,
        kind=Question.Kind.OPEN,
        text="Voor mentoren",
        asked_of=EvaluationRound.Audience.MENTORS,
    )

    assert mentors_only in services.questions_for(round=evaluation_round, role=Role.MENTOR)
    assert mentors_only not in services.questions_for(round=evaluation_round, role=Role.MENTEE)


# --- Default questions ------------------------------------------------------------------------------------


def test_default_questions_cover_the_programmes_goals_in_dutch_and_english(db):
    evaluation_round = EvaluationRoundFactory()

    added = services.round_add_default_questions(round=evaluation_round)

    assert added == evaluation_round.questions.count() >= 6
    texts = " ".join(evaluation_round.questions.values_list("text", flat=True))
    for topic in ("klik", "vaak", "mentorvraag", "vertrouwen", "netwerk", "verbeteren"):
        assert topic in texts
    assert all(evaluation_round.questions.values_list("text_en", flat=True))
    assert set(evaluation_round.questions.values_list("kind", flat=True)) == set(Question.Kind.values)
    for question in evaluation_round.questions.all():
        question.full_clean()


def test_default_questions_are_not_added_twice(evaluation_round):
    count = evaluation_round.questions.count()

    assert services.round_add_default_questions(round=evaluation_round) == 0
    assert evaluation_round.questions.count() == count


def test_a_choice_question_needs_options_and_a_scale_needs_labels(evaluation_round):
    choice = Question(round=evaluation_round, kind=Question.Kind.SINGLE_CHOICE, text="Welke?", options="alleen één")
    scale = Question(round=evaluation_round, kind=Question.Kind.SCALE, text="Hoe?")

    with pytest.raises(ValidationError) as choice_error:
        choice.full_clean()
    with pytest.raises(ValidationError) as scale_error:
        scale.full_clean()

    assert "options" in choice_error.value.message_dict
    assert "scale_low" in scale_error.value.message_dict


@pytest.mark.parametrize("published", [False, True])
def test_questions_are_frozen_once_answers_came_in_whoever_tries(evaluation_round, published):
    # R14: the answers refer to the questions; changing one would change what they mean.
    invitation = invitation_for_new_pair(evaluation_round)
    services.response_submit(invitation=invitation, user=invitation.user, answers=answers_for(evaluation_round))
    if published:
        publish(evaluation_round)
    question = evaluation_round.questions.first()

    question.text = "Iets heel anders"
    with pytest.raises(ValidationError, match="kunnen niet meer"):
        question.save()
    with pytest.raises(ValidationError):
        question.delete()
    with pytest.raises(ValidationError):
        Question.objects.create(round=evaluation_round, kind=Question.Kind.OPEN, text="Nieuwe vraag")
    with pytest.raises(ValidationError):
        question.full_clean()
    assert evaluation_round.questions.filter(text="Iets heel anders").count() == 0


def test_questions_of_a_round_without_answers_can_still_change(evaluation_round):
    question = evaluation_round.questions.first()

    question.text = "Betere formulering"
    question.full_clean()
    question.save()

    assert evaluation_round.questions.filter(text="Betere formulering").exists()


def test_new_invitations_are_announced_inside_their_transaction_and_a_rerun_announces_nothing(evaluation_round):
    # notifications records the invitation e-mails on this signal, in the same transaction (outbox).
    from django.db import connection

    from evaluations.signals import invitations_created

    ActiveMatchFactory(cycle=evaluation_round.cycle)
    heard = []

    def listener(sender, round_id, **kwargs):
        heard.append((round_id, connection.in_atomic_block, Invitation.objects.filter(round_id=round_id).count()))

    invitations_created.connect(listener)
    try:
        services.invitations_ensure(round=evaluation_round)
        services.invitations_ensure(round=evaluation_round)
    finally:
        invitations_created.disconnect(listener)

    assert heard == [(evaluation_round.pk, True, 2)]
