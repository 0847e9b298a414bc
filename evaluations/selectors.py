"""Reads for evaluations: who takes part, open invitations, and results above the thresholds (R14)."""

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Match

from .models import EvaluationRound, Invitation, Question, Receipt, Response, Role

# A group smaller than this could expose a person, whatever the setting says.
ABSOLUTE_MIN_GROUP_SIZE = 3


def min_group_size() -> int:
    """Responses a group (round × role) needs before anything about it is shown; never below 3."""
    return max(ABSOLUTE_MIN_GROUP_SIZE, int(getattr(settings, "EVALUATION_MIN_GROUP_SIZE", 5)))


def min_open_answers() -> int:
    """Responses a group needs before its open answers are shown; never below the group minimum."""
    return max(min_group_size(), int(getattr(settings, "EVALUATION_MIN_OPEN_ANSWERS", 8)))


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


def open_invitations_for_user(user, day=None):
    """Her invitations she can still answer today, soonest closing first."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    day = day or timezone.localdate()
    return (
        Invitation.objects.filter(user=user, receipt__isnull=True, round__opens_on__lte=day, round__closes_on__gte=day)
        .select_related("round", "round__cycle")
        .order_by("round__closes_on", "round__name", "role")
    )


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
    # A fresh random order every time, so the order never mirrors submission order.
    items = list(items)
    random.SystemRandom().shuffle(items)
    return items


def _question_result(question: Question, answers: list, *, min_group: int, open_allowed: bool) -> QuestionResult:
    result = QuestionResult(question=question, answered=len(answers))
    # An optional question answered by only a few is as revealing as a small group.
    result.shown = result.answered >= min_group
    if question.kind == Question.Kind.OPEN:
        result.open_shown = result.shown and open_allowed
        if result.open_shown:
            result.open_answers = _shuffled(answers)
        return result
    if not result.shown:
        return result
    if question.kind == Question.Kind.SCALE:
        labels = [str(n) for n in range(1, 6)]
        labels[0] = f"1 ({question.localised_scale_low})"
        labels[4] = f"5 ({question.localised_scale_high})"
        values = [int(value) for value in answers]
        result.mean = round(sum(values) / len(values), 1)
        counts = [values.count(n) for n in range(1, 6)]
    else:
        labels = question.option_list()
        chosen = [value if isinstance(value, list) else [value] for value in answers]
        counts = [sum(1 for picks in chosen if position in picks) for position in range(1, len(labels) + 1)]
    result.bars = [
        Bar(label=label, count=count, percent=round(100 * count / result.answered))
        for label, count in zip(labels, counts, strict=True)
    ]
    return result


def _group(key, label, responses, questions, *, min_group, min_open) -> GroupResult:
    if len(responses) < min_group:
        return GroupResult(
            key=key,
            label=label,
            responses=len(responses),
            shown=False,
            hidden_reason=str(_("Fewer than %(count)s responses: hidden to keep everyone anonymous."))
            % {"count": min_group},
        )
    group = GroupResult(key=key, label=label, responses=len(responses), shown=True)
    open_allowed = len(responses) >= min_open
    for question in questions:
        answers = [response.answers[str(question.pk)] for response in responses if str(question.pk) in response.answers]
        group.questions.append(_question_result(question, answers, min_group=min_group, open_allowed=open_allowed))
    return group


def round_results(*, round: EvaluationRound, day=None) -> RoundResults:
    """Aggregated results per role, only for groups large enough; nothing before the round closed.

    Waiting for the close means results never change while coordinators can also see who
    has submitted, so comparing two views cannot single out one person's answers.
    """
    day = day or timezone.localdate()
    closed = round.has_closed_on(day)
    results = RoundResults(
        round=round,
        closed=closed,
        rates=response_rates(round=round),
        groups=[],
        min_group=min_group_size(),
        min_open=min_open_answers(),
    )
    if not closed:
        return results
    questions = list(round.questions.all())
    responses = list(Response.objects.filter(round=round).only("role", "answers"))
    by_role = {role: [r for r in responses if r.role == role] for role in round.roles}
    for role in round.roles:
        role_questions = [q for q in questions if q.is_asked_of(role)]
        results.groups.append(
            _group(
                role,
                Role(role).label,
                by_role[role],
                role_questions,
                min_group=results.min_group,
                min_open=results.min_open,
            )
        )
    if len(round.roles) > 1:
        results.groups.append(_combined(results, responses, questions))
    return results


def _combined(results: RoundResults, responses, questions) -> GroupResult:
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
            responses=len(responses),
            shown=False,
            hidden_reason=str(_("Hidden because a role group is hidden: it could be worked out from the total.")),
        )
    combined = _group(BOTH, label, responses, questions, min_group=results.min_group, min_open=results.min_open)
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


def results_csv_rows(results: RoundResults) -> list[list]:
    """The aggregated results as rows for a CSV file: the same thresholds as on screen."""
    name = str(results.round)
    rows = [[_("round"), _("group"), _("responses"), _("question"), _("answered"), _("result"), _("value")]]
    for rate in results.rates:
        rows.append([name, rate.label, "", "", "", _("invited"), rate.invited])
        rows.append([name, rate.label, "", "", "", _("submitted"), rate.submitted])
    if not results.closed:
        rows.append([name, "", "", "", "", _("results are shown after the round closes on"), results.round.closes_on])
    for group in results.groups:
        if not group.shown:
            rows.append([name, group.label, group.responses, "", "", group.hidden_reason, ""])
            continue
        for item in group.questions:
            prefix = [name, group.label, group.responses, item.question.localised_text, item.answered]
            if item.is_open:
                if item.open_shown:
                    rows.extend([*prefix, _("open answer"), answer] for answer in item.open_answers)
                else:
                    rows.append([*prefix, _("open answers hidden: too few responses"), ""])
                continue
            if not item.shown:
                rows.append([*prefix, _("hidden: too few answers"), ""])
                continue
            if item.mean is not None:
                rows.append([*prefix, _("mean"), item.mean])
            rows.extend([*prefix, bar.label, bar.count] for bar in item.bars)
    return [[_csv_safe(str(cell)) for cell in row] for row in rows]
