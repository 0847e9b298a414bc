"""Writes for evaluations: rounds' questions, invitations and anonymous submissions (R14)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from . import defaults
from .models import EvaluationRound, Invitation, Question, Receipt, Response
from .selectors import round_participants
from .signals import invitations_created

MAX_OPEN_ANSWER_LENGTH = 5000


@transaction.atomic
def invitations_ensure(*, round: EvaluationRound) -> int:
    """Invite every participant of the round who has no invitation yet; returns how many were created.

    Safe to call again (e.g. daily): a person invited before is not invited twice, and
    someone who is mentor and mentee in the cycle gets one invitation per role.
    """
    created = 0
    existing = set(round.invitations.values_list("user_id", "role"))
    for user_id, role in round_participants(round=round):
        if (user_id, role) in existing:
            continue
        invitation = Invitation(round=round, user_id=user_id, role=role)
        invitation.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            # Someone else created it meanwhile: the unique constraint keeps it to one.
            continue
        created += 1
    if created:
        # In this transaction: notifications records the invitation e-mails with the invitations.
        invitations_created.send(sender=EvaluationRound, round_id=round.pk)
    return created


def round_add_default_questions(*, round: EvaluationRound) -> int:
    """Give a round the programme's default question set, unless it already has questions."""
    if round.questions.exists():
        return 0
    with transaction.atomic():
        for order, data in enumerate(defaults.QUESTIONS, start=1):
            question = Question(round=round, order=order * 10, **data)
            question.full_clean()
            question.save()
    return len(defaults.QUESTIONS)


def questions_for(*, round: EvaluationRound, role: str) -> list[Question]:
    return [question for question in round.questions.all() if question.is_asked_of(role)]


def _field_name(question: Question) -> str:
    return f"q_{question.pk}"


@sensitive_variables("answers", "cleaned", "value")
def _clean_answers(*, questions: list[Question], answers: dict) -> dict:
    """Check every answer against its question; the form does the same, this is the last line."""
    cleaned = {}
    errors = {}
    for question in questions:
        name = _field_name(question)
        value = answers.get(name)
        empty = value in (None, "", [], ())
        if empty:
            if question.required:
                errors[name] = _("Please answer this question.")
            continue
        try:
            if question.kind == Question.Kind.SCALE:
                number = int(value)
                if not 1 <= number <= 5:
                    raise ValueError
                cleaned[str(question.pk)] = number
            elif question.kind == Question.Kind.SINGLE_CHOICE:
                number = int(value)
                if not 1 <= number <= len(question.option_list("nl")):
                    raise ValueError
                cleaned[str(question.pk)] = number
            elif question.kind == Question.Kind.MULTIPLE_CHOICE:
                values = value if isinstance(value, list | tuple) else [value]
                numbers = sorted({int(item) for item in values})
                if not all(1 <= number <= len(question.option_list("nl")) for number in numbers):
                    raise ValueError
                cleaned[str(question.pk)] = numbers
            else:
                text = str(value).strip()
                if len(text) > MAX_OPEN_ANSWER_LENGTH:
                    errors[name] = _("Please keep your answer under %(limit)s characters.") % {
                        "limit": MAX_OPEN_ANSWER_LENGTH
                    }
                    continue
                if text:
                    cleaned[str(question.pk)] = text
                elif question.required:
                    errors[name] = _("Please answer this question.")
        except (TypeError, ValueError):
            errors[name] = _("Please choose one of the options given.")
    if errors:
        raise ValidationError(errors)
    return cleaned


@sensitive_variables("answers", "cleaned")
def response_submit(*, invitation: Invitation | None, user, answers: dict) -> None:
    """Record that she submitted (receipt) and what she answered (response), in one transaction.

    The two rows share nothing but the round: the response carries no user, invitation,
    token or time. Returns nothing, so no caller can keep the two together either.
    """
    if invitation is None or invitation.user_id != getattr(user, "pk", None):
        raise ValidationError(_("This evaluation link is not yours, or it does not exist."))
    if not invitation.round.is_open_on(timezone.localdate()):
        raise ValidationError(_("This evaluation is not open."))
    questions = questions_for(round=invitation.round, role=invitation.role)
    cleaned = _clean_answers(questions=questions, answers=answers)
    already = ValidationError(_("You have already submitted this evaluation. Thank you!"))
    try:
        with transaction.atomic():
            # Lock the invitation so two tabs submitting at once cannot both pass the check.
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if Receipt.objects.filter(invitation=locked).exists():
                raise already
            receipt = Receipt(invitation=locked)
            receipt.full_clean(validate_unique=False)
            receipt.save()
            response = Response(round=invitation.round, role=invitation.role, answers=cleaned)
            response.full_clean()
            response.save()
    except IntegrityError:
        raise already from None
