"""Writes for evaluations: rounds' questions, invitations, sealed submissions and their publication (R14)."""

import logging
import secrets
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from . import defaults, sealing
from .models import (
    MAX_OPEN_ANSWER_LENGTH,
    EvaluationRound,
    Invitation,
    Question,
    Receipt,
    Response,
    Role,
    SealedBallot,
    new_token,
)
from .selectors import round_participants, seal_keys_to_retire
from .signals import invitations_created

logger = logging.getLogger(__name__)

__all__ = ["MAX_OPEN_ANSWER_LENGTH"]  # the forms state it

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


def text_is_storable(text: str) -> bool:
    """No control characters but line breaks and tabs, no lone surrogates: what the ballot size counts on."""
    return not any(
        (unicodedata.category(char) == "Cc" and char not in "\n\r\t") or unicodedata.category(char) == "Cs"
        for char in text
    )


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
                if not text_is_storable(text):
                    errors[name] = _("Your answer contains characters that cannot be stored. Please retype it.")
                    continue
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
            size = sealing.ballot_size(locked.round.questions.all())
            sealed = sealing.seal(role=locked.role, answers=cleaned, size=size)
            ballot = SealedBallot(round_id=locked.round_id, sealed=sealed)
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
    vacuumed: bool = False  # VACUUM ran on the ballot table (PostgreSQL)
    rewritten: bool = False  # VACUUM FULL then wrote the table to a fresh file
    ballots_held: int = 0  # deleted ballots VACUUM could not remove: another transaction's snapshot needs them
    keys_to_retire: list = field(default_factory=list)  # selectors.SealKey: seal no waiting ballot any more

    @property
    def files_clean(self) -> bool:
        """Verified: no deleted ballot is left in the table's files."""
        return self.vacuumed and self.rewritten and not self.ballots_held


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
    the shuffled order. The round keeps the fingerprints of the keys that opened its ballots,
    so an operator can be told when those keys may be retired.
    """
    day = day or timezone.localdate()
    with transaction.atomic():
        locked = EvaluationRound.objects.select_for_update().select_related("cycle").get(pk=round.pk)
        if not locked.has_closed_on(day):
            return 0
        ballots = list(SealedBallot.objects.filter(round=locked).select_for_update().only("pk", "sealed"))
        if not ballots:
            return 0
        keys = sealing.keys()
        opened, used, unreadable = [], set(), 0
        for ballot in ballots:
            try:
                fingerprint, role, answers = sealing.open_naming_key(ballot.sealed, keys)
            except sealing.InvalidToken:
                unreadable += 1
                continue
            opened.append((role, answers))
            used.add(fingerprint)
        if unreadable:
            raise UnreadableBallots(locked, unreadable)
        secrets.SystemRandom().shuffle(opened)
        responses = [Response(round=locked, role=role, answers=answers) for role, answers in opened]
        for response in responses:
            response.clean_fields(exclude=["round"])
        Response.objects.bulk_create(responses)
        SealedBallot.objects.filter(pk__in=[ballot.pk for ballot in ballots]).delete()
        locked.sealed_with = ",".join(sorted(used | set(filter(None, locked.sealed_with.split(",")))))
        locked.save(update_fields=["sealed_with"])
    return len(responses)


REWRITE_LOCK_TIMEOUT = "10s"


def _vacuum_sealed_ballots(report: PublicationReport) -> None:
    """Remove deleted ballots from PostgreSQL's data files, and find out whether that worked.

    Not possible inside a transaction. First a plain VACUUM: it removes the deleted rows unless
    another transaction's snapshot (a running pg_dump, a long report) may still read them; it
    then reports those rows as dead tuples, which is how we know. It compacts pages without
    wiping their free space, so then VACUUM FULL copies the live rows (other open rounds'
    ballots) into a fresh file. When a snapshot holds deleted rows, VACUUM FULL would copy them
    too and wait for that transaction's lock: it is left for the next run, which finishes the
    job. The table holds only open rounds' ballots: the rewrite is small and its lock brief.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    table = SealedBallot._meta.db_table
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {quoted}")
        report.vacuumed = True
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        # A ballot is larger than PostgreSQL's 2 kB row limit: its ciphertext lives in the table's
        # TOAST relation (in ~2 kB pieces), which VACUUM cleans with the table; both must be clean.
        cursor.execute(
            """
            SELECT relid = %s::regclass, n_dead_tup, last_vacuum IS NOT NULL
            FROM pg_stat_all_tables
            WHERE relid = %s::regclass OR relid = (SELECT reltoastrelid FROM pg_class WHERE oid = %s::regclass)
            """,
            [table, table, table],
        )
        rows = cursor.fetchall()
        counted = bool(rows) and all(vacuumed for _main, _dead, vacuumed in rows)
        ballots = sum(dead for main, dead, _v in rows if main)
        pieces = sum(dead for main, dead, _v in rows if not main)
        dead = ballots or pieces  # rows of the table, or (should they be gone) pieces of ciphertext left
        if not counted:
            # Statistics are off (track_counts): nothing proves the rows are gone, so do not claim it.
            report.ballots_held = -1
            return
        if dead:
            report.ballots_held = dead
            return
        cursor.execute("SELECT pg_relation_filenode(%s::regclass)", [table])
        before = cursor.fetchone()[0]
        cursor.execute(f"SET lock_timeout = '{REWRITE_LOCK_TIMEOUT}'")
        try:
            cursor.execute(f"VACUUM FULL {quoted}")
        except OperationalError as error:  # another transaction holds a lock on the table
            logger.warning("Sealed-ballot table not rewritten now (%s); the next run tries again.", error)
            return
        finally:
            cursor.execute("RESET lock_timeout")
        cursor.execute("SELECT pg_relation_filenode(%s::regclass)", [table])
        report.rewritten = cursor.fetchone()[0] != before


def rounds_publish_closed(*, day=None) -> PublicationReport:
    """Publish every round that closed and still holds sealed ballots (daily, and publish_closed_rounds).

    A round whose ballots cannot all be opened is reported by name and left as it is; the
    other rounds are published. The report says whether the deleted ballots verifiably left
    the table's files, and which seal keys no longer seal a waiting ballot.
    ``day`` stands in for today in tests; the command refuses a day later than today.
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
    # earlier run may have kept the deleted rows then; this run finishes the job.
    _vacuum_sealed_ballots(report)
    if report.ballots_held > 0:
        logger.warning(
            "%d deleted sealed ballot(s) are still in the data files: another transaction's snapshot "
            "(e.g. a running pg_dump) may still read them. The next run of publish_closed_rounds removes them.",
            report.ballots_held,
        )
    report.keys_to_retire = seal_keys_to_retire()
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
