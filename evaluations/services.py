"""Writes for evaluations: rounds' questions, invitations, sealed submissions and their publication (R14)."""

import logging
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from . import defaults, sealing
from .models import EvaluationRound, Invitation, Question, Receipt, Response, Role, SealedBallot, new_token
from .selectors import round_participants
from .signals import invitations_created

logger = logging.getLogger(__name__)

MAX_OPEN_ANSWER_LENGTH = 5000
INVITATION_BATCH_SIZE = 5000


@transaction.atomic
def invitations_ensure(*, round: EvaluationRound) -> int:
    """Invite every participant of the round who has no invitation yet; returns how many were created.

    Safe to call again (e.g. daily) and at the same time: a person invited before is not
    invited twice (the unique constraint skips her), and someone who is mentor and mentee in
    the cycle gets one invitation per role. Rows are checked in memory and written in bulk, so
    a round of 100,000 participants takes seconds, not hours.
    """
    existing = set(round.invitations.values_list("user_id", "role"))
    now = timezone.now()
    roles = set(Role.values)
    new = []
    for user_id, role in round_participants(round=round):
        if (user_id, role) in existing:
            continue
        # What full_clean would check, without a query per row: the role is known (the
        # constraint checks it too); round and user come from the database itself, and the
        # token is fresh from secrets.
        if role not in roles:
            raise ValidationError({"role": _("Unknown role: %(role)s") % {"role": role}})
        # Positional, in field order (id, round, user, role, token, created_at): several times
        # cheaper than keyword arguments, which counts at 100,000 rows.
        new.append(Invitation(None, round.pk, user_id, role, new_token(), now))
    if not new:
        return 0
    before = round.invitations.count()
    Invitation.objects.bulk_create(new, batch_size=INVITATION_BATCH_SIZE, ignore_conflicts=True)
    # Rows another run inserted meanwhile were skipped: count what is there now, not what we sent.
    created = round.invitations.count() - before
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


@sensitive_variables("answers", "cleaned", "ballot")
def response_submit(*, invitation: Invitation | None, user, answers: dict) -> None:
    """Record that she submitted (receipt) and her answers sealed (ballot), in one transaction.

    The two rows share a transaction, so her answers are sealed: encrypted with
    EVALUATION_SEAL_KEYS, with nothing in clear but the round. They become a ``Response``
    only at publication, after the round closed, in a shuffled batch (rounds_publish_closed).
    Nothing else is written: no log line, no outbox row, no cache entry, no timestamp.
    Returns nothing, so no caller can keep the two together either.
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
            locked = Invitation.objects.select_for_update().select_related("round").get(pk=invitation.pk)
            if Receipt.objects.filter(invitation=locked).exists():
                raise already
            if not locked.round.is_open_on(timezone.localdate()):
                # Closed while she was typing: publication may already have run.
                raise ValidationError(_("This evaluation is not open."))
            receipt = Receipt(invitation=locked)
            receipt.full_clean(validate_unique=False)
            receipt.save()
            ballot = SealedBallot(round_id=locked.round_id, sealed=sealing.seal(role=locked.role, answers=cleaned))
            ballot.save()
    except IntegrityError:
        raise already from None


# --- Publication ---------------------------------------------------------------------------------


class UnreadableBallots(Exception):
    """A round's sealed ballots cannot all be opened with the configured keys."""

    def __init__(self, round: EvaluationRound, count: int):
        self.round = round
        self.count = count
        super().__init__(
            f"Evaluation round '{round}' (id {round.pk}): {count} sealed ballot(s) cannot be opened with "
            "EVALUATION_SEAL_KEYS. Nothing of this round was published and nothing was deleted; configure "
            "the key they were sealed with (see evaluations/sealing.py) and publish again."
        )


@dataclass
class PublicationReport:
    published: dict[str, int] = field(default_factory=dict)  # round name -> responses published
    errors: list[str] = field(default_factory=list)
    vacuumed: bool = False


def rounds_awaiting_publication(*, day):
    """Rounds that closed before this day and still hold sealed ballots."""
    return (
        EvaluationRound.objects.filter(closes_on__lt=day, sealed_ballots__isnull=False)
        .distinct()
        .select_related("cycle")
        .order_by("closes_on", "pk")
    )


@sensitive_variables("opened")
def round_publish(*, round: EvaluationRound, day=None) -> int:
    """Open a closed round's sealed ballots and publish them as responses; returns how many.

    One transaction: every ballot opened, the lot shuffled (secrets.SystemRandom), all
    responses inserted, the ballots deleted. A crash anywhere rolls all of it back, and a
    second run finds nothing left to publish, so no answer is ever lost or doubled. The
    responses share this transaction's id, which no receipt has, and lie in the table in
    the shuffled order.
    """
    day = day or timezone.localdate()
    with transaction.atomic():
        locked = EvaluationRound.objects.select_for_update().select_related("cycle").get(pk=round.pk)
        if not locked.has_closed_on(day):
            return 0
        ballots = list(SealedBallot.objects.filter(round=locked).select_for_update().only("pk", "sealed"))
        if not ballots:
            return 0
        opened, unreadable = [], 0
        for ballot in ballots:
            try:
                opened.append(sealing.open_ballot(ballot.sealed))
            except sealing.InvalidToken:
                unreadable += 1
        if unreadable:
            raise UnreadableBallots(locked, unreadable)
        secrets.SystemRandom().shuffle(opened)
        responses = [Response(round=locked, role=role, answers=answers) for role, answers in opened]
        for response in responses:
            response.clean_fields(exclude=["round"])
        Response.objects.bulk_create(responses)
        SealedBallot.objects.filter(pk__in=[ballot.pk for ballot in ballots]).delete()
    return len(responses)


def _vacuum_sealed_ballots() -> bool:
    """Rewrite the ballot table so deleted ballots leave PostgreSQL's data files (not possible in a transaction)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    table = connection.ops.quote_name(SealedBallot._meta.db_table)
    with connection.cursor() as cursor:
        # First a plain VACUUM: it removes the deleted rows (it ignores other databases' open
        # transactions, which VACUUM FULL's own snapshot would have to respect). It compacts
        # pages without wiping their free space, so then VACUUM FULL copies the live rows (other
        # open rounds' ballots) into a fresh file. The table holds only open rounds' ballots:
        # the rewrite is small and its lock brief.
        cursor.execute(f"VACUUM {table}")
        cursor.execute(f"VACUUM FULL {table}")
    return True


def rounds_publish_closed(*, day=None) -> PublicationReport:
    """Publish every round that closed and still holds sealed ballots (daily, and publish_closed_rounds).

    A round whose ballots cannot all be opened is reported by name and left as it is; the
    other rounds are published.
    """
    day = day or timezone.localdate()
    report = PublicationReport()
    for evaluation_round in rounds_awaiting_publication(day=day):
        try:
            report.published[str(evaluation_round)] = round_publish(round=evaluation_round, day=day)
        except UnreadableBallots as error:
            logger.error("%s", error)
            report.errors.append(str(error))
    # Every run, not only when something was published: a transaction that was open during an
    # earlier run may have kept the deleted rows then.
    report.vacuumed = _vacuum_sealed_ballots()
    return report


def sealed_ballots_reseal() -> int:
    """Re-seal every waiting ballot with the newest key in EVALUATION_SEAL_KEYS; returns how many."""
    count = 0
    with transaction.atomic():
        for ballot in SealedBallot.objects.select_for_update().only("pk", "sealed"):
            ballot.sealed = sealing.reseal(ballot.sealed)
            ballot.save(update_fields=["sealed"])
            count += 1
    return count
