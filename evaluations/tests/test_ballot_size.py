"""Finding 21.5: every sealed ballot of a round has one length, so length cannot link a ballot to its response.

Fernet hides content, not length. Before padding, 14 of 30 respondents could be linked by
matching ballot length (in a backup or the WAL) to the published responses, without any key.
"""

import datetime

import pytest
from django.core.management import call_command
from django.utils import translation

from evaluations import services
from evaluations.forms import EvaluationForm
from evaluations.models import MAX_OPEN_ANSWER_LENGTH, Question, Role, SealedBallot
from evaluations.tests.factories import answers_for, invitation_for_new_pair

pytestmark = pytest.mark.django_db

BALLOTS = 30


def answers_of_size(evaluation_round, role, step):
    """Answers from empty (step 0: optional questions left out) to maximal (step 29)."""
    answers = answers_for(evaluation_round, role, scale=1 + step % 5)
    for question in services.questions_for(round=evaluation_round, role=role):
        key = f"q_{question.pk}"
        if question.kind == Question.Kind.MULTIPLE_CHOICE:
            answers[key] = [str(n) for n in range(1, 1 + step * len(question.option_list("nl")) // (BALLOTS - 1))]
            if not answers[key] and question.required:
                answers[key] = ["1"]
        elif question.kind == Question.Kind.OPEN:
            length = step * MAX_OPEN_ANSWER_LENGTH // (BALLOTS - 1)
            alphabet = ["a", "é", "\U0001f600", "\n", '"'][step % 5]
            text = (alphabet * length)[:length].strip() or "x" * length
            answers[key] = "" if step == 0 and not question.required else text
    return answers


def test_thirty_ballots_from_empty_to_maximal_have_one_ciphertext_length(evaluation_round):
    assert evaluation_round.questions.filter(kind=Question.Kind.OPEN).exists()
    for step in range(BALLOTS):
        role = Role.MENTEE if step % 2 else Role.MENTOR
        invitation = invitation_for_new_pair(evaluation_round, role)
        services.response_submit(
            invitation=invitation, user=invitation.user, answers=answers_of_size(evaluation_round, role, step)
        )

    lengths = {len(sealed) for sealed in SealedBallot.objects.values_list("sealed", flat=True)}

    assert SealedBallot.objects.count() == BALLOTS
    assert len(lengths) == 1, sorted(lengths)


def test_published_answers_are_the_submitted_ones_without_padding(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round, Role.MENTEE)
    answers = answers_of_size(evaluation_round, Role.MENTEE, 7)
    services.response_submit(invitation=invitation, user=invitation.user, answers=answers)

    services.rounds_publish_closed(day=evaluation_round.closes_on + datetime.timedelta(days=1))

    (response,) = evaluation_round.responses.all()
    open_keys = [str(q.pk) for q in evaluation_round.questions.filter(kind=Question.Kind.OPEN)]
    assert [response.answers.get(key) for key in open_keys] == [answers[f"q_{key}"] or None for key in open_keys]


def test_an_open_answer_with_a_control_character_is_refused_not_sealed_longer(evaluation_round):
    invitation = invitation_for_new_pair(evaluation_round, Role.MENTEE)
    answers = answers_for(evaluation_round, Role.MENTEE, text="\x00\x1b" * 100)

    with pytest.raises(services.ValidationError):
        services.response_submit(invitation=invitation, user=invitation.user, answers=answers)

    assert not SealedBallot.objects.exists()


@pytest.mark.parametrize(("language", "words"), [("nl", "tekens"), ("en", "characters")])
def test_the_form_states_the_limit_of_an_open_answer(evaluation_round, language, words):
    questions = services.questions_for(round=evaluation_round, role=Role.MENTEE)
    with translation.override(language):
        form = EvaluationForm(questions=questions)
        open_fields = [form.fields[f"q_{q.pk}"] for q in questions if q.kind == Question.Kind.OPEN]
        help_texts = [str(field.help_text) for field in open_fields]

    assert open_fields
    assert all(f"{MAX_OPEN_ANSWER_LENGTH}" in text and words in text for text in help_texts), help_texts


def test_a_too_long_answer_gets_a_form_error_in_dutch(evaluation_round):
    questions = services.questions_for(round=evaluation_round, role=Role.MENTEE)
    data = answers_for(evaluation_round, Role.MENTEE, text="x" * (MAX_OPEN_ANSWER_LENGTH + 1))
    with translation.override("nl"):
        form = EvaluationForm(data, questions=questions)
        assert not form.is_valid()
        errors = " ".join(str(message) for messages in form.errors.values() for message in messages)

    assert str(MAX_OPEN_ANSWER_LENGTH) in errors
    assert "tekens" in errors


def test_check_is_quiet_with_the_development_key(evaluation_round):
    call_command("check")  # no database access problem, no warning with the derived key
