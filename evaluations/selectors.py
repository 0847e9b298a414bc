"""Reads for evaluations: who takes part, open invitations, and results above the thresholds (R14)."""

import json
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Match

from . import sealing
from .models import EvaluationRound, Invitation, Question, Receipt, Role, SealedBallot

# A group smaller than this could expose a person, whatever the setting says.
ABSOLUTE_MIN_GROUP_SIZE = 3


def min_group_size() -> int:
    """Responses a group (round × role) needs before anything about it is shown; never below 3.

    Its default lives in settings.py alone (EVALUATION_MIN_GROUP_SIZE).
    """
    return max(ABSOLUTE_MIN_GROUP_SIZE, int(settings.EVALUATION_MIN_GROUP_SIZE))


def min_open_answers() -> int:
    """Responses a group needs before its open answers are shown; never below the group minimum.

    Its default lives in settings.py alone (EVALUATION_MIN_OPEN_ANSWERS).
    """
    return max(min_group_size(), int(settings.EVALUATION_MIN_OPEN_ANSWERS))


# --- Rounds and invitations ---------------------------------------------------------------------


def rounds_open_on(day):
    """Rounds that accept answers on this day (opens_on <= day <= closes_on)."""
    return EvaluationRound.objects.filter(opens_on__lte=day, closes_on__gte=day).select_related("cycle")


def round_participants(*, round: EvaluationRound) -> list[tuple[int, str]]:
    """(user id, role) of everyone this round is for, from the cycle's pairs.

    Active pairs always; a closing round (final, after renewal) also includes pairs that
    completed their term. A round after renewal is for renewed terms only (R5).
    """
    statuses = [Match.Status.ACTIVE]
    if round.kind in (EvaluationRound.Kind.FINAL, EvaluationRound.Kind.AFTER_RENEWAL):
        statuses.append(Match.Status.COMPLETED)
    matches = Match.objects.filter(cycle_id=round.cycle_id, status__in=statuses)
    if round.kind == EvaluationRound.Kind.AFTER_RENEWAL:
        matches = matches.renewed_terms()
    participants = set()
    for mentor_id, mentee_id in matches.values_list("mentor_id", "mentee_id"):
        if Role.MENTOR in round.roles:
            participants.add((mentor_id, Role.MENTOR.value))
        if Role.MENTEE in round.roles:
            participants.add((mentee_id, Role.MENTEE.value))
    return sorted(participants)


def invitations_without_receipt(*, round: EvaluationRound):
    """Invitations of this round that were not answered yet: the people to remind."""
    return round.invitations.filter(receipt__isnull=True).select_related("user", "round")


def open_invitations_for_user(user, day=None) -> list[Invitation]:
    """Her invitations she can still answer today, soonest closing first (then by round name and role).

    Sorted in Python, not by the database: her dashboard asks this on every visit, and Django's ORDER BY
    hashes every selected column, which costs more CPU than her one or two rows.
    """
    if not user.is_authenticated:
        return []
    day = day or timezone.localdate()
    invitations = Invitation.objects.filter(
        user=user, receipt__isnull=True, round__opens_on__lte=day, round__closes_on__gte=day
    ).select_related("round")
    return sorted(invitations.order_by(), key=lambda i: (i.round.closes_on, i.round.name, i.role))


def invitation_for_user(user, token) -> Invitation:
    """The one access check for an invitation: only the invited person; everyone else 404.

    Coordinators are no exception: the personal link is hers alone.
    """
    if not user.is_authenticated or not isinstance(token, str) or not token:
        raise Http404
    try:
        return Invitation.objects.select_related("round", "round__cycle").get(user=user, token=token)
    except Invitation.DoesNotExist:
        raise Http404 from None


def invitation_is_submitted(invitation: Invitation) -> bool:
    return Receipt.objects.filter(invitation=invitation).exists()


# --- Results ----------------------------------------------------------------------------------------

BOTH = "both"


@dataclass
class Rate:
    """Invited and submitted per role: no answers in it, so always visible."""

    label: str
    invited: int
    submitted: int

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.invited) if self.invited else 0


@dataclass
class Bar:
    label: str
    count: int
    percent: int


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    shown: bool = False
    mean: float | None = None
    bars: list[Bar] = field(default_factory=list)
    open_answers: list[str] = field(default_factory=list)
    open_shown: bool = False

    @property
    def is_open(self) -> bool:
        return self.question.kind == Question.Kind.OPEN


@dataclass
class GroupResult:
    key: str  # "mentor", "mentee" or "both"
    label: str
    responses: int
    shown: bool
    hidden_reason: str = ""
    questions: list[QuestionResult] = field(default_factory=list)


@dataclass
class RoundResults:
    round: EvaluationRound
    closed: bool
    rates: list[Rate]
    groups: list[GroupResult]
    min_group: int
    min_open: int
    awaiting_publication: int = 0  # sealed ballots of a closed round, published at night

    @property
    def published(self) -> bool:
        return self.closed and not self.awaiting_publication

    @property
    def responses_of_erased_accounts(self) -> int:
        """Responses beyond the submissions counted: a member who erased her account took her invitation
        and receipt with her, while her anonymous answers stay (issue 21 §7). Explained on the page."""
        if not self.groups:
            return 0
        submitted = sum(rate.submitted for rate in self.rates[: len(self.round.roles)])
        return max(0, sum(group.responses for group in self.groups) - submitted)


def response_rates(*, round: EvaluationRound) -> list[Rate]:
    counts = {
        row["role"]: row
        for row in round.invitations.values("role").annotate(
            invited=Count("pk"), submitted=Count("pk", filter=Q(receipt__isnull=False))
        )
    }
    rates = [
        Rate(
            label=Role(role).label,
            invited=counts.get(role, {}).get("invited", 0),
            submitted=counts.get(role, {}).get("submitted", 0),
        )
        for role in round.roles
    ]
    if len(rates) > 1:
        rates.append(
            Rate(
                label=str(_("total")), invited=sum(r.invited for r in rates), submitted=sum(r.submitted for r in rates)
            )
        )
    return rates


def _shuffled(items: list[str]) -> list[str]:
    # A fresh random order every time it is shown. (The published order is already a secure
    # shuffle, see services.round_publish; this one only keeps a page from looking fixed, so
    # one urandom seed per list does, rather than one urandom call per item.)
    items = list(items)
    random.Random().shuffle(items)  # noqa: S311 - display order, not a secret
    return items


# --- Aggregation in the database --------------------------------------------------------------------
#
# Results are counted where the answers are: one row per (role, question, value) comes back,
# never one per response, so a round of 10,000 responses costs milliseconds of Python. Only
# open answers come back one by one, and only for groups large enough to show them.
# PostgreSQL (production) reads each question's answer with `answers -> 'key'` and counts all
# questions in one scan with GROUPING SETS; SQLite (development) walks the JSON with json_each.


@dataclass
class Tally:
    """What a group answered, counted: no single response in it (open texts only when fetched)."""

    responses: int = 0
    answered: dict[str, int] = field(default_factory=dict)  # question key -> how many answered
    values: dict[str, dict[int, int]] = field(default_factory=dict)  # question key -> value -> count
    texts: dict[str, list[str]] = field(default_factory=dict)  # question key -> open answers

    def count(self, key: str, value, times: int) -> None:
        """Record that `times` responses gave `value` to question `key` (a number or a list of positions)."""
        self.answered[key] = self.answered.get(key, 0) + times
        self.count_picks(key, value if isinstance(value, list) else [value], times)

    def count_picks(self, key: str, picks: list, times: int) -> None:
        counts = self.values.setdefault(key, {})
        for pick in picks:
            number = _number(pick)
            if number is not None:
                counts[number] = counts.get(number, 0) + times

    def add(self, other: "Tally") -> "Tally":
        total = Tally(responses=self.responses + other.responses)
        for source in (self, other):
            for key, count in source.answered.items():
                total.answered[key] = total.answered.get(key, 0) + count
            for key, counts in source.values.items():
                merged = total.values.setdefault(key, {})
                for value, count in counts.items():
                    merged[value] = merged.get(value, 0) + count
            for key, texts in source.texts.items():
                total.texts.setdefault(key, []).extend(texts)
        return total


def _number(value) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _postgresql_counts(cursor, round_id: int, keys: list[str], open_keys: list[str], tallies: dict[str, Tally]):
    """Responses per role, and per role and question each distinct answer with its count: one scan.

    Open questions are only counted (answered or not), never grouped by their text.
    """
    expressions = ["answers -> %s"] * len(keys) + ["(answers -> %s) IS NOT NULL"] * len(open_keys)
    every_key = keys + open_keys
    columns = "".join(f"GROUPING({expression}), {expression}, " for expression in expressions)
    sets = "".join(f", (role, {expression})" for expression in expressions)
    sql = (
        f"SELECT role, {columns}count(*) FROM evaluations_response "  # noqa: S608 - no user text in it
        f"WHERE round_id = %s GROUP BY GROUPING SETS ((role){sets})"
    )
    params = [key for key in every_key for _twice in (1, 2)] + [round_id] + every_key
    cursor.execute(sql, params)
    for row in cursor.fetchall():
        role, count, cells = row[0], row[-1], row[1:-1]
        tally = tallies.get(role)
        if tally is None:
            continue
        grouped = next((index for index in range(len(every_key)) if cells[2 * index] == 0), None)
        if grouped is None:
            tally.responses = count
            continue
        key, value = every_key[grouped], cells[2 * grouped + 1]
        if grouped >= len(keys):
            if value:  # an open question she answered
                tally.answered[key] = tally.answered.get(key, 0) + count
        elif value is not None:  # NULL: these responses left the question out
            # Django hands jsonb over as its text (it turns psycopg2's own parsing off).
            tally.count(key, json.loads(value) if isinstance(value, str) else value, count)


_SQLITE_VALUES = """
    SELECT r.role, a.key, CASE WHEN a.type IN ('integer', 'real') THEN a.value END, count(*)
    FROM evaluations_response r, json_each(r.answers) a
    WHERE r.round_id = %s GROUP BY 1, 2, 3
"""
_SQLITE_PICKS = """
    SELECT r.role, a.key, e.value, count(*)
    FROM evaluations_response r, json_each(r.answers) a, json_each(a.value) e
    WHERE r.round_id = %s AND a.type = 'array' GROUP BY 1, 2, 3
"""


def _sqlite_counts(cursor, round_id: int, tallies: dict[str, Tally]) -> None:
    cursor.execute("SELECT role, count(*) FROM evaluations_response WHERE round_id = %s GROUP BY role", [round_id])
    for role, count in cursor.fetchall():
        if role in tallies:
            tallies[role].responses = count
    cursor.execute(_SQLITE_VALUES, [round_id])
    for role, key, value, count in cursor.fetchall():
        if role in tallies:  # every answer counts as answered; numbers are also counted per value
            tallies[role].count(key, [] if value is None else value, count)
    cursor.execute(_SQLITE_PICKS, [round_id])
    for role, key, value, count in cursor.fetchall():
        if role in tallies:
            tallies[role].count_picks(key, [value], count)


def _open_texts(cursor, round_id: int, keys: list[str], tallies: dict[str, Tally], roles: set[str]) -> None:
    """The open answers of the given roles: only the open questions' values, nothing else of a response."""
    if connection.vendor == "postgresql":
        columns = ", ".join("answers ->> %s" for _key in keys)
    else:
        columns = ", ".join("json_extract(answers, '$.\"' || %s || '\"')" for _key in keys)
    sql = f"SELECT role, {columns} FROM evaluations_response WHERE round_id = %s"  # noqa: S608 - no user text
    cursor.execute(sql, [*keys, round_id])
    for role, *texts in cursor.fetchall():
        if role not in roles:
            continue
        for key, text in zip(keys, texts, strict=True):
            if isinstance(text, str) and text:
                tallies[role].texts.setdefault(key, []).append(text)


def _tallies(round: EvaluationRound, *, questions: list[Question], with_texts) -> dict[str, Tally]:
    """Per role, the round's published responses counted in the database.

    ``with_texts(responses)`` says whether a role group of that size may show open answers at all.
    """
    tallies = {role: Tally() for role in round.roles}
    counted = [str(q.pk) for q in questions if q.kind != Question.Kind.OPEN]
    open_keys = [str(q.pk) for q in questions if q.kind == Question.Kind.OPEN]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgresql_counts(cursor, round.pk, counted, open_keys, tallies)
        else:
            _sqlite_counts(cursor, round.pk, tallies)
        wanted = {role for role, tally in tallies.items() if with_texts(tally.responses)}
        if open_keys and wanted:
            _open_texts(cursor, round.pk, open_keys, tallies, wanted)
    return tallies


def _question_result(question: Question, tally: Tally, *, min_group: int, open_allowed: bool) -> QuestionResult:
    key = str(question.pk)
    result = QuestionResult(question=question, answered=tally.answered.get(key, 0))
    # An optional question answered by only a few is as revealing as a small group.
    result.shown = result.answered >= min_group
    if question.kind == Question.Kind.OPEN:
        result.open_shown = result.shown and open_allowed
        if result.open_shown:
            result.open_answers = _shuffled(tally.texts.get(key, []))
        return result
    if not result.shown:
        return result
    counted = tally.values.get(key, {})
    if question.kind == Question.Kind.SCALE:
        labels = [str(n) for n in range(1, 6)]
        labels[0] = f"1 ({question.localised_scale_low})"
        labels[4] = f"5 ({question.localised_scale_high})"
        counts = [counted.get(n, 0) for n in range(1, 6)]
        result.mean = round(sum(n * counts[n - 1] for n in range(1, 6)) / result.answered, 1)
    else:
        labels = question.option_list()
        counts = [counted.get(position, 0) for position in range(1, len(labels) + 1)]
    result.bars = [
        Bar(label=label, count=count, percent=round(100 * count / result.answered))
        for label, count in zip(labels, counts, strict=True)
    ]
    return result


def _group(key, label, tally: Tally, questions, *, min_group, min_open) -> GroupResult:
    if tally.responses < min_group:
        return GroupResult(
            key=key,
            label=label,
            responses=tally.responses,
            shown=False,
            hidden_reason=str(_("Fewer than %(count)s responses: hidden to keep everyone anonymous."))
            % {"count": min_group},
        )
    group = GroupResult(key=key, label=label, responses=tally.responses, shown=True)
    open_allowed = tally.responses >= min_open
    for question in questions:
        group.questions.append(_question_result(question, tally, min_group=min_group, open_allowed=open_allowed))
    return group


def sealed_ballots_waiting(*, round: EvaluationRound) -> int:
    """Answers submitted to this round and not yet published (the response rate already tells as much)."""
    return round.sealed_ballots.count()


def round_results(*, round: EvaluationRound, day=None, counts_only: bool = False) -> RoundResults:
    """Aggregated results per role, only for groups large enough; nothing before the round is published.

    Waiting for the close means results never change while coordinators can also see who
    has submitted, so comparing two views cannot single out one person's answers. After the
    close, answers are still sealed until the nightly publication (services.rounds_publish_closed).

    ``counts_only``: the counted results without the response rates and without any open answer
    (not even fetched): for the coordinators' charts and year report (issue 27), which never show
    open answers and read the rates elsewhere. Two queries less, and no answer text leaves the database.
    """
    day = day or timezone.localdate()
    closed = round.has_closed_on(day)
    results = RoundResults(
        round=round,
        closed=closed,
        rates=[] if counts_only else response_rates(round=round),
        groups=[],
        min_group=min_group_size(),
        min_open=min_open_answers(),
    )
    if not closed:
        return results
    results.awaiting_publication = sealed_ballots_waiting(round=round)
    if results.awaiting_publication:
        return results
    questions = list(round.questions.all())
    tallies = _tallies(
        round, questions=questions, with_texts=lambda responses: not counts_only and responses >= results.min_open
    )
    for role in round.roles:
        role_questions = [q for q in questions if q.is_asked_of(role)]
        results.groups.append(
            _group(
                role,
                str(Role(role).label),
                tallies[role],
                role_questions,
                min_group=results.min_group,
                min_open=results.min_open,
            )
        )
    if len(round.roles) > 1:
        total = Tally()
        for tally in tallies.values():
            total = total.add(tally)
        results.groups.append(_combined(results, total, questions))
    if counts_only:  # no text was fetched: say so, rather than "shown" with nothing in it
        for item in (item for group in results.groups for item in group.questions):
            item.open_shown, item.open_answers = False, []
    return results


def _combined(results: RoundResults, total: Tally, questions) -> GroupResult:
    """Both roles together, but never when it would let anyone subtract a hidden group.

    Total minus the mentees would be the mentors: so the total is shown only when every
    role group is shown, and each of its questions and open answers only when they are
    shown in every role group that was asked.
    """
    label = str(_("mentors and mentees together"))
    role_groups = list(results.groups)
    if not all(group.shown for group in role_groups):
        return GroupResult(
            key=BOTH,
            label=label,
            responses=total.responses,
            shown=False,
            hidden_reason=str(_("Hidden because a role group is hidden: it could be worked out from the total.")),
        )
    combined = _group(BOTH, label, total, questions, min_group=results.min_group, min_open=results.min_open)
    per_role = {group.key: {item.question.pk: item for item in group.questions} for group in role_groups}
    for item in combined.questions:
        parts = [per_role[role][item.question.pk] for role in per_role if item.question.pk in per_role[role]]
        if not all(part.shown for part in parts):
            item.shown = False
            item.mean = None
            item.bars = []
        if not all(part.open_shown for part in parts):
            item.open_shown = False
            item.open_answers = []
    return combined


def _csv_safe(value):
    # Text starting with these would run as a formula in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def results_csv_rows(results: RoundResults) -> list[list[str]]:
    """The aggregated results as rows for a CSV file: the same thresholds as on screen."""

    def cells(*values) -> list[str]:
        return [_csv_safe(value if isinstance(value, str) else str(value)) for value in values]

    name = str(results.round)
    rows = [cells(_("round"), _("group"), _("responses"), _("question"), _("answered"), _("result"), _("value"))]
    for rate in results.rates:
        rows.append(cells(name, rate.label, "", "", "", _("invited"), rate.invited))
        rows.append(cells(name, rate.label, "", "", "", _("submitted"), rate.submitted))
    if not results.closed:
        closes_on = results.round.closes_on
        rows.append(cells(name, "", "", "", "", _("results are shown after the round closes on"), closes_on))
    elif results.awaiting_publication:
        rows.append(cells(name, "", "", "", "", _("results are shown after the nightly publication"), ""))
    # Translated and made safe once: a round of 10,000 responses has thousands of rows like these.
    open_answer = cells(_("open answer"))[0]
    for group in results.groups:
        if not group.shown:
            rows.append(cells(name, group.label, group.responses, "", "", group.hidden_reason, ""))
            continue
        for item in group.questions:
            prefix = cells(name, group.label, group.responses, item.question.localised_text, item.answered)
            if item.is_open:
                if item.open_shown:
                    rows.extend([*prefix, open_answer, _csv_safe(answer)] for answer in item.open_answers)
                else:
                    rows.append([*prefix, *cells(_("open answers hidden: too few responses"), "")])
                continue
            if not item.shown:
                rows.append([*prefix, *cells(_("hidden: too few answers"), "")])
                continue
            if item.mean is not None:
                rows.append([*prefix, *cells(_("mean"), item.mean)])
            rows.extend([*prefix, *cells(bar.label, bar.count)] for bar in item.bars)
    return rows


# --- Seal keys -----------------------------------------------------------------------------------


@dataclass
class SealKey:
    """A configured seal key (by position and fingerprint, never the key itself) that may be retired."""

    position: int  # 1 = the first (newest) key in EVALUATION_SEAL_KEYS, which seals new ballots
    fingerprint: str
    rounds: list[str]  # the published rounds it sealed

    @property
    def is_newest(self) -> bool:
        return self.position == 1


def seal_keys_to_retire() -> list[SealKey]:
    """Configured keys that sealed a published round and seal no ballot still waiting for publication.

    Such a key only still serves whoever holds that round's WAL archives or old backups: retire
    it (the first key too, after putting a fresh one in front of it: evaluations/sealing.py).
    """
    sealed_rounds: dict[str, list[str]] = {}
    for evaluation_round in EvaluationRound.objects.exclude(sealed_with="").select_related("cycle"):
        for fingerprint in evaluation_round.sealed_with.split(","):
            sealed_rounds.setdefault(fingerprint, []).append(str(evaluation_round))
    candidates = [
        (position, fingerprint, key)
        for position, (fingerprint, key) in enumerate(sealing.keys(), start=1)
        if fingerprint in sealed_rounds
    ]
    still_needed: set[str] = set()
    if candidates:
        for token in SealedBallot.objects.values_list("sealed", flat=True).iterator():
            open_keys = [(fingerprint, key) for _p, fingerprint, key in candidates if fingerprint not in still_needed]
            if not open_keys:
                break
            opened = sealing.opened_by(token, open_keys)
            if opened:
                still_needed.add(opened)
    return [
        SealKey(position=position, fingerprint=fingerprint, rounds=sealed_rounds[fingerprint])
        for position, fingerprint, _key in candidates
        if fingerprint not in still_needed
    ]


def describe_keys_to_retire(keys) -> list[str]:
    """One line per seal key an operator can retire now (position and fingerprint, never the key)."""
    lines = []
    for key in keys:
        where = f"Seal key {key.position} in EVALUATION_SEAL_KEYS (fingerprint {key.fingerprint})"
        rounds = ", ".join(f"'{name}'" for name in key.rounds)
        if key.is_newest:
            advice = (
                "it still seals new ballots: put a fresh key in front of it before the next round opens, "
                "run rotate_evaluation_seal_keys, then remove it"
            )
        else:
            advice = "remove it from EVALUATION_SEAL_KEYS and restart"
        lines.append(
            f"{where} sealed the published round(s) {rounds} and seals no unpublished ballot: {advice}, "
            "so WAL archives and backups from those rounds can no longer be opened."
        )
    return lines
