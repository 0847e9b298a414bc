"""The year report per cycle for the board (issue 27 §2): one page, a PDF and a CSV of the same figures.

The roof asks, it does not decide: every count comes from the owning app's selectors (registrations
from accounts, applications and pairs from matching, meetings and R10 from meetings, evaluation results
with their thresholds from evaluations); this module only adds them up and lets
`coordination.suppression` decide which may be shown. Beside each figure stands the previous cycle's.

Populations for the suppression function: members registered and verified by the end of a cycle's
application period (the previous cycle's are a part of the current one's); the cycle's applicants
inside its verified members, its matched pairs (one per mentee) inside its mentee applicants, and the
pairs split by introduction held, R10 reached and their outcome (renewed, ended early per reason
category, other).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from evaluations import selectors as evaluation_selectors
from evaluations.models import EvaluationRound, Question
from matching import selectors as matching_selectors
from matching.models import Cycle, Match, Role
from meetings import selectors as meetings_selectors

from .suppression import TOO_FEW, Disclosure

CURRENT, PREVIOUS = "current", "previous"
# Early ends by the reason's category (issue 27 §2), never the reason's text; in the model's order.
END_CATEGORIES = [value for value, _label in Match.EndCategory.choices]


def _end_category_label(category: str) -> str:
    return str(_("ended early: %(category)s") % {"category": Match.EndCategory(category).label})


@dataclass
class Line:
    key: str
    label: str
    kind: str  # "count", "percent", "days", "mean"
    values: dict = field(default_factory=dict)  # CURRENT / PREVIOUS -> number or None
    shown: dict = field(default_factory=dict)
    section: str = ""
    # Evaluation lines: the role and the question they are about (for the chart).
    role: str = ""
    question: str = ""

    def display(self, which: str) -> str:
        value = self.values.get(which)
        if which not in self.values:
            return ""
        if not self.shown.get(which) or value is None:
            return str(TOO_FEW)
        if self.kind == "percent":
            return f"{round(value)}%"
        if self.kind == "days":
            return str(_("%(days)s days") % {"days": round(value)})
        if self.kind == "mean":
            return f"{value:.1f}".replace(".", ",") if _is_dutch() else f"{value:.1f}"
        return str(value)

    @property
    def current(self) -> str:
        return self.display(CURRENT)

    @property
    def previous(self) -> str:
        return self.display(PREVIOUS)


def _is_dutch() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "nl").startswith("nl")


@dataclass
class YearReport:
    cycle: Cycle
    previous: Cycle | None
    sections: list[tuple[str, list[Line]]]
    minimum: int = 5
    evaluation: list[Line] = field(default_factory=list)  # the last section's lines, for its chart

    @property
    def lines(self) -> list[Line]:
        return [line for _title, lines in self.sections for line in lines]


def previous_cycle(cycle: Cycle, cycles: list[Cycle]) -> Cycle | None:
    earlier = [other for other in cycles if other.planned_start < cycle.planned_start]
    return max(earlier, key=lambda other: other.planned_start) if earlier else None


def year_round(rounds: list[EvaluationRound]) -> EvaluationRound | None:
    """The round the report shows for a cycle: its final evaluation, else its latest round."""
    final = [r for r in rounds if r.kind == EvaluationRound.Kind.FINAL]
    return (final or rounds or [None])[-1]


class Population:
    """Disjoint groups of people, each tagged with the figures it belongs to (see suppression.py)."""

    def __init__(self):
        self.groups: list[tuple[frozenset, int]] = []

    def add(self, tags, size: int) -> None:
        if size > 0:
            self.groups.append((frozenset(tags), size))

    def carve(self, size: int, *, having: str, without: str, tags, prefer=lambda t: 0) -> int:
        """Split `size` people off the groups tagged `having` and not `without`, adding `tags`
        (applicants out of the verified members, pairs out of the mentee applicants); returns how many."""
        left = size
        order = sorted(
            (i for i, (t, _n) in enumerate(self.groups) if having in t and without not in t),
            key=lambda i: prefer(self.groups[i][0]),
        )
        for index in order:
            if left <= 0:
                break
            group_tags, group_size = self.groups[index]
            taken = min(left, group_size)
            self.groups[index] = (group_tags, group_size - taken)
            self.groups.append((group_tags | frozenset(tags), taken))
            left -= taken
        return size - left


def _pair_kinds(*, cycles: list[Cycle]) -> dict[int, tuple[dict, int]]:
    """cycle id -> (pairs per kind, pairs with both dates), counted by the database in one query.

    A kind is (introduced, R10 reached, renewed, the early end's category or None). The kinds come in
    the order of their first pair (as the rows once came, one by one), so the report splits its groups
    of people the same way every time."""
    rows = (
        meetings_selectors.with_report_flags(matches=matching_selectors.pairs_for_report(cycles=cycles))
        .values("cycle_id", "introduced", "reached_r10", "continues_in_next_term", "end_category_or_unknown")
        .annotate(
            pairs=Count("pk"),
            dated=Count("pk", filter=Q(applied_at__isnull=False, confirmed_at__isnull=False)),
            first_pair=Min("pk"),
        )
        .order_by()
    )
    kinds: dict[int, tuple[dict, int]] = {cycle.pk: ({}, 0) for cycle in cycles}
    for row in sorted(rows, key=lambda row: row["first_pair"]):
        counted, dated = kinds[row["cycle_id"]]
        kind = (
            bool(row["introduced"]),
            bool(row["reached_r10"]),
            bool(row["continues_in_next_term"]),
            row["end_category_or_unknown"],
        )
        counted[kind] = counted.get(kind, 0) + row["pairs"]
        kinds[row["cycle_id"]] = (counted, dated + row["dated"])
    return kinds


def build(
    *,
    cycle: Cycle,
    cycles: list[Cycle] | None = None,
    day: datetime.date | None = None,
    evaluations: bool = True,
    median: bool = True,
) -> YearReport:
    """The report; ``evaluations=False`` leaves the evaluation section empty (the cockpit's funnel chart
    needs only the funnel: two queries less; the evaluation responses are atoms of their own, so the
    funnel's decisions are the same either way). ``median=False`` leaves the time to a match unknown (one
    query less, and the pairs' dates unread; the cockpit does not show it): every count and every
    decision stays the same, the median's decision depends only on the pairs with both dates."""
    cycles = cycles if cycles is not None else list(Cycle.objects.order_by("-planned_start"))
    previous = previous_cycle(cycle, cycles)
    which = {CURRENT: cycle, PREVIOUS: previous} if previous else {CURRENT: cycle}
    registrations = account_selectors.registrations_between(
        earlier=previous.applications_close if previous else None, later=cycle.applications_close
    )
    applications = matching_selectors.applications_by_cycle(cycles=list(which.values()))
    rounds = EvaluationRound.objects.filter(cycle__in=list(which.values()) if evaluations else [])
    # The questions of both years' rounds in one query (round_results reads them from here).
    all_rounds = (
        list(rounds.select_related("cycle").prefetch_related("questions").order_by("opens_on")) if evaluations else []
    )
    people = Population()
    both = {"current:registered", "previous:registered"}
    people.add(both | {"current:verified", "previous:verified"}, registrations["verified_before"])
    people.add(both, registrations["unverified_before"])
    people.add(both | {"current:verified"}, registrations["verified_between"])
    people.add({"current:registered", "current:verified"}, registrations["new_verified"])
    people.add({"current:registered"}, registrations["new_unverified"])
    if not previous:  # without a previous cycle, "before" is empty anyway
        people.groups = [(frozenset(t for t in tags if t.startswith(CURRENT)), n) for tags, n in people.groups]

    pair_kinds = _pair_kinds(cycles=list(which.values()))
    medians = matching_selectors.median_days_to_match_by_cycle(cycles=list(which.values())) if median else {}
    derived: dict[str, tuple[list[str], int | None]] = {}
    extra: dict[str, dict] = {}
    for name in (PREVIOUS, CURRENT):
        if name not in which:
            continue
        this = which[name]
        tag = lambda key, name=name: f"{name}:{key}"  # noqa: E731
        # The newest members first: whoever registered since the previous cycle cannot be last year's.
        newest_first = lambda tags: len([t for t in tags if t.startswith(PREVIOUS)])  # noqa: E731
        counts = applications[this.pk]
        for role, key in ((Role.MENTEE.value, "applied_mentee"), (Role.MENTOR.value, "applied_mentor")):
            people.carve(
                counts[role],
                having=tag("verified"),
                without=tag("applied"),
                tags={tag("applied"), tag(key)},
                prefer=newest_first,
            )
        kinds, dated = pair_kinds[this.pk]
        for (introduced, r10, renewed, end_category), size in kinds.items():
            tags = {tag("matched")}
            tags |= {tag("introduced")} if introduced else set()
            tags |= {tag("reached_r10")} if r10 else set()
            tags |= {tag("renewed")} if renewed else set()
            tags |= {tag("ended_early"), tag(f"end_category_{end_category}")} if end_category else set()
            carved = people.carve(size, having=tag("applied_mentee"), without=tag("matched"), tags=tags)
            people.add(tags, size - carved)  # more pairs than mentee applications (a mentee matched again)
        derived[tag("match_rate")] = ([tag("matched"), tag("applied_mentee")], None)
        derived[tag("median_days")] = ([tag("matched")], dated)
        derived[tag("early_end_rate")] = ([tag("ended_early"), tag("matched")], None)
        derived[tag("r10_share")] = ([tag("reached_r10"), tag("matched")], None)
        derived[tag("renewal_rate")] = ([tag("renewed"), tag("matched")], None)
        extra[name] = {"median_days": medians.get(this.pk)}
        round_of_year = year_round([r for r in all_rounds if r.cycle_id == this.pk])
        extra[name]["evaluation"] = (
            evaluation_selectors.round_results(round=round_of_year, day=day, counts_only=True)
            if round_of_year
            else None
        )

    keys = [
        "registered", "verified", "applied", "applied_mentee", "applied_mentor", "matched", "introduced",
        "reached_r10", "renewed", "ended_early", *[f"end_category_{c}" for c in END_CATEGORIES],
    ]  # fmt: skip
    disclosure = Disclosure()
    for index, (_tags, size) in enumerate(people.groups):
        disclosure.atom(index, size)
    all_tags = {t for tags, _n in people.groups for t in tags} | {f"{n}:{k}" for n in which for k in keys}
    for figure in sorted(all_tags):
        disclosure.count(
            figure,
            [i for i, (tags, _n) in enumerate(people.groups) if figure in tags],
            published_before=figure.startswith(PREVIOUS),
        )
    for key, (of, population) in derived.items():
        disclosure.derive(key, of=of, population=population)
    decisions = disclosure.decide()

    def size(name, key):
        figure = disclosure.figures.get(f"{name}:{key}")
        return figure.count if figure else 0

    def line(key, label, kind="count", compute=None):
        result = Line(key=key, label=str(label), kind=kind)
        for name in which:
            result.values[name] = compute(name) if compute else size(name, key)
            result.shown[name] = decisions.get(f"{name}:{key}", False)
        return result

    def rate(numerator, denominator):
        def compute(name):
            top, bottom = size(name, numerator), size(name, denominator)
            return 100 * top / bottom if bottom else None

        return compute

    lines_by_cycle = extra
    funnel = [
        line("registered", _("registered (by the end of the applications)")),
        line("verified", _("verified")),
        line("applied", _("applied")),
        line("applied_mentee", _("applied as mentee")),
        line("applied_mentor", _("applied as mentor")),
        line("matched", _("matched")),
        line("introduced", _("introductory meeting held")),
        line("reached_r10", _("two meetings held (R10)")),
        line("renewed", _("renewed")),
    ]
    outcomes = [
        line(
            "match_rate", _("match rate (matched / mentees who applied)"), "percent", rate("matched", "applied_mentee")
        ),
        line(
            "median_days",
            _("time from application to match (median)"),
            "days",
            lambda name: extra[name]["median_days"],
        ),
        line("early_end_rate", _("early-end rate"), "percent", rate("ended_early", "matched")),
        line("ended_early", _("ended early")),
        *[line(f"end_category_{category}", _end_category_label(category)) for category in END_CATEGORIES],
        line("r10_share", _("share of pairs reaching two meetings (R10)"), "percent", rate("reached_r10", "matched")),
        line("renewal_rate", _("renewal rate"), "percent", rate("renewed", "matched")),
    ]
    evaluation = evaluation_lines({name: lines_by_cycle[name]["evaluation"] for name in which})
    sections = [
        (str(_("From registration to renewal")), funnel),
        (str(_("Matches, early ends and renewals")), outcomes),
        (str(_("Year evaluation")), evaluation),
    ]
    return YearReport(
        cycle=cycle, previous=previous, sections=sections, minimum=disclosure.minimum, evaluation=evaluation
    )


def evaluation_lines(results_by_cycle: dict) -> list[Line]:
    """Responses per role and the mean per scale question per role (CURRENT / PREVIOUS -> the round's
    results, counted only), shown only where the evaluations' thresholds show them and `disclose` agrees.

    A round's responses are people of their own (anonymous answers, not the pairs or the members counted
    above), so they are decided apart from the rest of the report; the cockpit's chart asks the same.
    Open answers never: the results are counted without them."""
    disclosure = Disclosure()
    for name, results in results_by_cycle.items():
        for group in results.groups if results else []:
            if group.key != evaluation_selectors.BOTH:
                disclosure.single(f"{name}:responses_{group.key}", group.responses, published_before=name == PREVIOUS)
    decisions = disclosure.decide()
    lines: dict[str, Line] = {}
    for name, results in results_by_cycle.items():
        if results is None:
            continue
        for group in results.groups:
            if group.key == evaluation_selectors.BOTH:
                continue
            role_shown = decisions.get(f"{name}:responses_{group.key}", False) and group.shown
            key = f"responses_{group.key}"
            item = lines.setdefault(
                key,
                Line(
                    key=key,
                    label=str(_("responses: %(role)s") % {"role": Role(group.key).label}),
                    kind="count",
                    role=group.key,
                ),
            )
            item.values[name] = group.responses
            item.shown[name] = role_shown
            # A hidden group has no question results: its questions (asked of the role, as the shown
            # groups list them) read "te weinig" rather than disappear.
            results_of_questions = group.questions or [
                evaluation_selectors.QuestionResult(question=question)
                for question in _questions_of(results)
                if question.is_asked_of(group.key)
            ]
            for question in results_of_questions:
                if question.question.kind != Question.Kind.SCALE:
                    continue
                text = question.question.localised_text
                key = f"mean_{group.key}_{text}"
                item = lines.setdefault(
                    key,
                    Line(
                        key=key,
                        label=f"{text} ({Role(group.key).label})",
                        kind="mean",
                        role=group.key,
                        question=text,
                    ),
                )
                item.values[name] = question.mean
                item.shown[name] = role_shown and question.shown and question.mean is not None
    for item in lines.values():
        for name in results_by_cycle:
            item.values.setdefault(name, None)
            item.shown.setdefault(name, False)
    return list(lines.values())


def _questions_of(results) -> list[Question]:
    """The round's questions as its shown groups list them (no query); none when every group is hidden."""
    questions = {}
    for group in results.groups:
        for item in group.questions:
            questions.setdefault(item.question.pk, item.question)
    return sorted(questions.values(), key=lambda question: (question.order, question.pk))


def csv_rows(report: YearReport) -> list[list[str]]:
    """The aggregate figures for the board's spreadsheets: the same figures and "te weinig" as the page."""
    header = [str(_("section")), str(_("figure")), str(report.cycle)]
    if report.previous:
        header.append(str(report.previous))
    rows = [header]
    for title, lines in report.sections:
        for item in lines:
            row = [title, item.label, item.current]
            if report.previous:
                row.append(item.previous)
            rows.append([_csv_safe(cell) for cell in row])
    return rows


def _csv_safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
