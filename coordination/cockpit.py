"""The coordinators' cockpit ("Coördinatie"): one page that runs the year (issue 16 §1).

The roof of the house: it reads every app (accounts → matching → meetings/evaluations →
notifications) and no app reads it. The cockpit asks, it does not decide: every rule (R8's
first contact, R10's meetings, a quiet pair, a renewed term, a withdrawal) is the owning app's
selector or constant, and this module only puts the answers together. Only counts, dates and names: never a note, an
answer or a mentorvraag (R11, R14). Every part is a handful of aggregate queries, so the
page stays within its query budget however many members there are.
"""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import BooleanField, CharField, Count, ExpressionWrapper, F, Q, Sum, Value, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import MemberListImport, Profile, VerificationStatus
from core.people import name_for_coordinators
from core.precompiled import Precompiled
from evaluations import selectors as evaluation_selectors
from evaluations.models import EvaluationRound
from goals import selectors as goal_selectors
from matching import selectors as matching_selectors
from matching.models import Application, Cycle, FitCheck, Match, Role
from meetings import selectors as meetings_selectors
from notifications import selectors as notification_selectors
from notifications.models import OutboxMessage

from .suppression import Disclosure, shown_or_too_few

# "Since last week": the page and the weekly digest look back as far.
WITHDRAWALS_SINCE = datetime.timedelta(days=7)
# Names shown per needs-attention list; the link behind it has them all.
NAMES_SHOWN = 8
# Before the applications open, the member list should be fresh.
IMPORT_BEFORE_OPENING = datetime.timedelta(days=14)
IMPORT_FRESH_FOR = datetime.timedelta(days=120)
MATCH_BEFORE_START = datetime.timedelta(days=14)
CLOSE_AFTER_END = relativedelta(months=1)


def current_cycle(cycles: list[Cycle]) -> Cycle | None:
    """The cycle a coordinator is most likely busy with: being matched, else open, else running, else newest."""
    for status in (Cycle.Status.MATCHING, Cycle.Status.OPEN, Cycle.Status.RUNNING, Cycle.Status.DRAFT):
        candidates = [cycle for cycle in cycles if cycle.status == status]
        if candidates:
            return min(candidates, key=lambda cycle: cycle.planned_start)
    return cycles[0] if cycles else None


# --- Funnel ------------------------------------------------------------------------------------


@dataclass
class Step:
    label: str
    count: int
    url: str


def _admin(name: str, **filters) -> str:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return reverse(name) + (f"?{query}" if query else "")


def funnel(cycle: Cycle | None) -> tuple[list[Step], dict]:
    """Registered → verified → applied → matched → active → completed / ended early / renewed."""
    profiles = Profile.objects.aggregate(
        registered=Count("pk"),
        verified=Count("pk", filter=Q(verification_status=VerificationStatus.VERIFIED)),
    )
    steps = [
        Step(_("registered"), profiles["registered"], _admin("admin:accounts_profile_changelist")),
        Step(
            _("verified"),
            profiles["verified"],
            _admin("admin:accounts_profile_changelist", verification_status__exact=VerificationStatus.VERIFIED),
        ),
    ]
    extra = {"mentor_places_free": 0, "mentees_waiting": 0, "mentee_applications": 0, "matches": 0}
    if cycle is None:
        return steps, extra

    applications = Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED).aggregate(
        mentees=Count("pk", filter=Q(role=Role.MENTEE)),
        mentors=Count("pk", filter=Q(role=Role.MENTOR)),
        # A mentor who pauses this cycle offers no place (issue 25 §4: matching's open_places).
        places=Sum("capacity", filter=Q(role=Role.MENTOR, paused=False), default=0),
        waiting=Count("pk", filter=matching_selectors.waiting_for_a_mentor()),
    )
    matches = Match.objects.filter(cycle=cycle).aggregate(
        all=Count("pk"),
        live_with_mentor_application=Count(
            "pk",
            filter=Q(
                status__in=Match.LIVE_STATUSES,
                mentor_application__status=Application.Status.SUBMITTED,
                mentor_application__paused=False,
            ),
        ),
        active=Count("pk", filter=Q(status=Match.Status.ACTIVE)),
        completed=Count("pk", filter=Q(status=Match.Status.COMPLETED)),
        ended_early=Count("pk", filter=Q(status=Match.Status.ENDED_EARLY)),
        renewed=Count("pk", filter=Match.renewed_term()),
    )
    applications_url = "admin:matching_application_changelist"
    matches_url = "admin:matching_match_changelist"
    in_cycle = {"cycle__id__exact": cycle.pk}
    steps += [
        Step(
            _("applied as mentee"),
            applications["mentees"],
            _admin(applications_url, **in_cycle, role__exact=Role.MENTEE, status__exact=Application.Status.SUBMITTED),
        ),
        Step(
            _("applied as mentor"),
            applications["mentors"],
            _admin(applications_url, **in_cycle, role__exact=Role.MENTOR, status__exact=Application.Status.SUBMITTED),
        ),
        Step(_("matched"), matches["all"], _admin(matches_url, **in_cycle)),
        Step(_("active"), matches["active"], _admin(matches_url, **in_cycle, status__exact=Match.Status.ACTIVE)),
        Step(
            _("completed"), matches["completed"], _admin(matches_url, **in_cycle, status__exact=Match.Status.COMPLETED)
        ),
        Step(
            _("ended early"),
            matches["ended_early"],
            _admin(matches_url, **in_cycle, status__exact=Match.Status.ENDED_EARLY),
        ),
        Step(_("renewed"), matches["renewed"], _admin(matches_url, **in_cycle, **Match.RENEWED_TERM_LOOKUP)),
    ]
    extra = {
        "mentor_places_free": max(0, applications["places"] - matches["live_with_mentor_application"]),
        "mentees_waiting": applications["waiting"],
        "mentee_applications": applications["mentees"],
        "matches": matches["all"],
        "active": matches["active"],
        "completed": matches["completed"],
        "ended_early": matches["ended_early"],
        "matching_url": reverse("admin:matching_cycle_matching", args=[cycle.pk]),
    }
    return steps, extra


# --- Needs attention -------------------------------------------------------------------------------


@dataclass
class Attention:
    label: str
    count: int
    url: str
    names: list[str] = field(default_factory=list)


# The fields `_pair_names` reads (core.people.name_for_coordinators).
PAIR_NAME_FIELDS = ("mentor__full_name", "mentor__email", "mentee__full_name", "mentee__email")


def _pair_names(matches) -> list[str]:
    # A partner who erased her account reads "verwijderd lid" (core.people), never "None".
    return [f"{name_for_coordinators(match.mentor)} – {name_for_coordinators(match.mentee)}" for match in matches]


# The lists' queries, compiled once per key (`core.precompiled`): their SQL depends only on the day, the
# cycle and the settings, never on the rows, and building it was most of the cockpit's CPU (issue 24).
# Per process; a new day or cycle makes a new key, and a change of settings (tests) empties it.
_COMPILED_LISTS: dict[tuple, tuple[Precompiled, list[str]]] = {}
_KEYS_KEPT = 32


def _forget_compiled_lists(**kwargs):
    _COMPILED_LISTS.clear()


setting_changed.connect(_forget_compiled_lists)


def first_of_each(build, *, order_by: list, key: tuple | None) -> dict[str, tuple[int, list]]:
    """Per condition: how many rows meet it and the first NAMES_SHOWN of them, in one query.

    ``build()`` gives (queryset, conditions). ``key`` names everything their SQL depends on (the day, the
    cycle): the query is built and compiled once per key and connection, then only run. ``key=None``: a
    query whose SQL changes with every call (a moment, not a day), built and run as it is.

    The database counts and picks, so the page reads at most NAMES_SHOWN rows per list however many
    there are, never every open pair or waiting member into Python. A row may belong to several lists.
    Where the database allows it (PostgreSQL) each list is its own part of a UNION ALL, each condition
    written once (``_first_of_each_union``): a tenth of the database's time of one window query over
    every row and half the work to build the SQL. Elsewhere (SQLite) one query with a window per list.
    """
    union = connection.features.supports_slicing_ordering_in_compound
    shape = _first_of_each_union if union else _first_of_each_windows
    if key is None:
        queryset, conditions = build()
        rows = list(shape(queryset, conditions, order_by=order_by))
        return _lists_of_union(rows, conditions) if union else _lists_of_windows(rows, conditions)
    entry = _COMPILED_LISTS.get(key)
    if entry is None:
        if len(_COMPILED_LISTS) >= _KEYS_KEPT:
            _COMPILED_LISTS.clear()
        names = list(build()[1])
        entry = _COMPILED_LISTS.setdefault(key, (Precompiled(lambda: shape(*build(), order_by=order_by)), names))
    compiled, names = entry
    rows = compiled()
    return _lists_of_union(rows, names) if union else _lists_of_windows(rows, names)


def _first_of_each_union(queryset, conditions: dict, *, order_by: list):
    """One part per condition: its rows, their total (a window over the part, before the limit), its first rows."""
    # The windows and the order resolved once; each part adds its condition (SQL filters before windows).
    numbered = queryset.annotate(
        attention_total=Window(Count("pk")), attention_rank=Window(RowNumber(), order_by=order_by)
    ).order_by(*order_by)
    parts = [
        numbered.filter(condition).annotate(attention_list=Value(name, output_field=CharField()))[:NAMES_SHOWN]
        for name, condition in conditions.items()
    ]
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _lists_of_union(rows, names) -> dict[str, tuple[int, list]]:
    result = {}
    for name in names:
        # A union keeps no order of its own: each part's rows come back numbered in its order.
        meeting = sorted((row for row in rows if row.attention_list == name), key=lambda row: row.attention_rank)
        result[name] = (meeting[0].attention_total if meeting else 0, meeting)
    return result


def _first_of_each_windows(queryset, conditions: dict, *, order_by: list):
    """A window per condition (its row number and its total among the rows meeting it), over every row."""
    either = Q()
    for condition in conditions.values():
        either |= condition
    flags = {
        f"attention_is_{name}": ExpressionWrapper(condition, output_field=BooleanField())
        for name, condition in conditions.items()
    }
    windows = {}
    shown = Q()
    for name in conditions:
        windows[f"attention_rank_{name}"] = Window(
            RowNumber(), partition_by=[F(f"attention_is_{name}")], order_by=order_by
        )
        windows[f"attention_total_{name}"] = Window(Count("pk"), partition_by=[F(f"attention_is_{name}")])
        shown |= Q(**{f"attention_is_{name}": True, f"attention_rank_{name}__lte": NAMES_SHOWN})
    return queryset.filter(either).annotate(**flags).annotate(**windows).filter(shown).order_by(*order_by)


def _lists_of_windows(rows, names) -> dict[str, tuple[int, list]]:
    result = {}
    for name in names:
        meeting = [row for row in rows if getattr(row, f"attention_is_{name}")]
        result[name] = (getattr(meeting[0], f"attention_total_{name}") if meeting else 0, meeting)
    return result


def needs_attention(cycle: Cycle | None, *, today: datetime.date) -> list[Attention]:
    """What a coordinator should look at this week, each with the members or pairs behind it.

    The one list of the cockpit page and of the weekly digest. ``cycle`` narrows what belongs to a
    cycle (mentees waiting, pairs, withdrawals) to that cycle; ``None`` means every cycle (the digest:
    a coordinator's week spans the running cycle and the one being matched). Members waiting or
    flagged and failed e-mails belong to no cycle: always the whole programme. Every list is counted
    and its first names picked by the database (``first_of_each``).
    """
    members = first_of_each(
        lambda: (
            Profile.objects.select_related("user").only(
                "needs_review", "verification_status", "membership_number", "user__full_name", "user__email"
            ),
            {"pending": Q(verification_status=VerificationStatus.PENDING), "flagged": Q(needs_review=True)},
        ),
        order_by=["created_at", "pk"],
        key=("members",),
    )
    pending_count, pending = members["pending"]
    flagged_count, flagged = members["flagged"]
    # Mentees waiting for a mentor now, and the waiting list (issue 25 §8: not matched in a cycle whose
    # matching is over; each may carry her application to the next cycle): one query, both rules matching's.
    in_cycle = Q(cycle=cycle) if cycle is not None else Q()
    cycle_key = cycle.pk if cycle is not None else None
    applications = first_of_each(
        lambda: (
            # Only what the names need: never her mentoring question (R11) nor a password hash; less to build.
            Application.objects.select_related("member", "cycle").only(
                "member__full_name", "member__email", "cycle__name"
            ),
            {
                "waiting": Q(pk__in=matching_selectors.mentees_waiting(cycle=cycle).values("pk")),
                "waiting_list": Q(pk__in=matching_selectors.waiting_list().filter(in_cycle).values("pk")),
            },
        ),
        order_by=["cycle__planned_start", "created_at", "pk"],
        key=("applications", cycle_key),
    )
    mentees_waiting = applications["waiting"][0]
    waiting_count, waiting_first = applications["waiting_list"]
    items = [
        Attention(
            _("members waiting for verification"),
            pending_count,
            _admin("admin:accounts_profile_changelist", verification_status__exact=VerificationStatus.PENDING),
            [str(profile.user) for profile in pending],
        ),
        Attention(
            _("members flagged by the latest import"),
            flagged_count,
            _admin("admin:accounts_profile_changelist", needs_review__exact=1),
            [str(profile.user) for profile in flagged],
        ),
        # A count: while a cycle is matched there are many, and the Koppelscherm has them all.
        Attention(
            _("mentees waiting for a mentor"),
            mentees_waiting,
            reverse("admin:matching_cycle_matching", args=[cycle.pk])
            if cycle
            else _admin(
                "admin:matching_application_changelist",
                role__exact=Role.MENTEE,
                status__exact=Application.Status.SUBMITTED,
            ),
        ),
    ]
    items.append(
        Attention(
            _("waiting list: mentees not matched in their cycle"),
            waiting_count,
            _admin("admin:matching_application_changelist", wachtlijst=1),
            [f"{application.member} ({application.cycle})" for application in waiting_first],
        )
    )

    # One query for the lists about pairs, each condition asked of the app that owns the rule: no first
    # contact (matching, R8), a partner said it does not fit (matching), quiet and short of meetings
    # (meetings, R10), ended early since last week (matching, R6).
    def pair_lists():
        conditions = {
            "no_first_contact": matching_selectors.first_contact_alert(today=today),
            "does_not_fit": matching_selectors.fit_concern(),
            "quiet": meetings_selectors.quiet(today=today),
            "short_of_meetings": meetings_selectors.short_of_meetings(today=today),
            "ended_early": matching_selectors.ended_early_since(since=today - WITHDRAWALS_SINCE),
            # Issue 25 §3: the mentor did not answer in time (matching decides what "in time" is).
            "mentor_silent": matching_selectors.mentor_answer_overdue(today=today),
        }
        matches = Match.objects.filter(cycle=cycle) if cycle else Match.objects.all()
        # Only what the names need: the fewer columns, the less to build, send and read.
        pairs = (
            meetings_selectors.with_meeting_stats(matches=matches, last_held=False, selected=False)
            .select_related("mentor", "mentee")
            .only("start_date", *PAIR_NAME_FIELDS)
        )
        return pairs, conditions

    # Every condition is a matter of the day and the cycle (and settings): compiled once for them.
    listed = first_of_each(pair_lists, order_by=["start_date", "pk"], key=("pairs", today, cycle_key))
    statistics_url = reverse("admin:meetings_pairmeetingstatistics_changelist")
    items.append(
        Attention(
            format_lazy(
                _("pairs without first contact {days} days after they were matched (R8)"),
                days=settings.MATCHING_FIRST_CONTACT_ALERT_DAYS,
            ),
            listed["no_first_contact"][0],
            statistics_url,
            _pair_names(listed["no_first_contact"][1]),
        )
    )
    items.append(
        Attention(
            _("pairs waiting for the mentor's answer past its date"),
            listed["mentor_silent"][0],
            _admin("admin:matching_match_changelist", status__exact=Match.Status.AWAITING_MENTOR),
            _pair_names(listed["mentor_silent"][1]),
        )
    )
    items.append(
        Attention(
            _("pairs where a partner said it does not fit"),
            listed["does_not_fit"][0],
            _admin("admin:matching_fitcheck_changelist", answer__exact=FitCheck.Answer.NO),
            _pair_names(listed["does_not_fit"][1]),
        )
    )
    items.append(
        Attention(
            _("pairs without a meeting held six weeks after the start"),
            listed["quiet"][0],
            statistics_url + "?geen_afspraak=6w",
            _pair_names(listed["quiet"][1]),
        )
    )
    items.append(
        Attention(
            _("pairs with fewer than two meetings and two months left (R10)"),
            listed["short_of_meetings"][0],
            statistics_url + "?r10=achter",
            _pair_names(listed["short_of_meetings"][1]),
        )
    )
    withdrawals = matching_selectors.withdrawn_since(since=timezone.now() - WITHDRAWALS_SINCE, cycle=cycle)
    withdrawn_count, withdrawn = first_of_each(
        lambda: (
            withdrawals.select_related(None)
            .select_related("member")
            .only("role", "withdrawn_at", "member__full_name", "member__email"),
            {"withdrawn": Q(pk__isnull=False)},
        ),
        order_by=["-withdrawn_at", "-pk"],
        key=None,  # since a moment a week ago: other SQL every time
    )["withdrawn"]
    ended_count, ended = listed["ended_early"]
    items.append(
        Attention(
            _("withdrawals and pairs ended early since last week"),
            withdrawn_count + ended_count,
            _admin("admin:matching_application_changelist", status__exact=Application.Status.WITHDRAWN),
            [f"{application.member} ({application.get_role_display()})" for application in withdrawn]
            + _pair_names(ended),
        )
    )
    failed = notification_selectors.failed_messages().count()
    items.append(
        Attention(
            _("e-mails that failed"),
            failed,
            _admin("admin:notifications_outboxmessage_changelist", status__exact=OutboxMessage.Status.FAILED),
        )
    )
    return items


# --- Year plan ------------------------------------------------------------------------------------


@dataclass
class PlanStep:
    key: str
    label: str
    due: datetime.date
    done: bool
    url: str = ""


def _rounds(cycle: Cycle) -> list[EvaluationRound]:
    return list(
        EvaluationRound.objects.filter(cycle=cycle)
        .annotate(
            invited=Count("invitations", distinct=True),
            invited_mentors=Count("invitations", filter=Q(invitations__role=Role.MENTOR), distinct=True),
            invited_mentees=Count("invitations", filter=Q(invitations__role=Role.MENTEE), distinct=True),
            submitted_mentors=Count(
                "invitations",
                filter=Q(invitations__role=Role.MENTOR, invitations__receipt__isnull=False),
                distinct=True,
            ),
            submitted_mentees=Count(
                "invitations",
                filter=Q(invitations__role=Role.MENTEE, invitations__receipt__isnull=False),
                distinct=True,
            ),
        )
        .order_by("opens_on", "pk")
    )


def year_plan(cycle: Cycle, *, today: datetime.date, funnel_extra: dict, rounds: list[EvaluationRound]) -> list:
    """The cycle's dates as a checklist, each step marked done from the data, in date order."""
    end = cycle.planned_start + relativedelta(months=cycle.duration_months)
    midpoint = cycle.planned_start + relativedelta(months=cycle.duration_months // 2)
    latest_import = MemberListImport.objects.order_by("-uploaded_at").values_list("uploaded_at", flat=True).first()
    imported = latest_import is not None and timezone.localdate(latest_import) >= cycle.applications_open - (
        IMPORT_FRESH_FOR
    )
    status = cycle.status
    opened = status != Cycle.Status.DRAFT
    closed_applications = status in (Cycle.Status.MATCHING, Cycle.Status.RUNNING, Cycle.Status.CLOSED)
    started = status in (Cycle.Status.RUNNING, Cycle.Status.CLOSED)
    matched = funnel_extra["matches"] > 0 and funnel_extra["mentees_waiting"] == 0
    interim = [r for r in rounds if r.kind == EvaluationRound.Kind.INTERIM]
    final = [r for r in rounds if r.kind == EvaluationRound.Kind.FINAL]
    cycle_url = reverse("admin:matching_cycle_change", args=[cycle.pk])
    rounds_url = _admin("admin:evaluations_evaluationround_changelist", cycle__id__exact=cycle.pk)
    steps = [
        PlanStep(
            "import",
            _("Import the member list"),
            cycle.applications_open - IMPORT_BEFORE_OPENING,
            imported,
            reverse("admin:accounts_memberlistimport_add"),
        ),
        PlanStep("open", _("Open the applications"), cycle.applications_open, opened, cycle_url),
        PlanStep("close", _("Close the applications"), cycle.applications_close, closed_applications, cycle_url),
        PlanStep(
            "match",
            _("Match every mentee"),
            cycle.planned_start - MATCH_BEFORE_START,
            matched,
            funnel_extra.get("matching_url", ""),
        ),
        PlanStep("start", _("Start the mentorships"), cycle.planned_start, started, cycle_url),
        PlanStep(
            "interim", _("Interim evaluation"), midpoint, bool(interim) and interim[0].opens_on <= today, rounds_url
        ),
        PlanStep(
            "renewal",
            _("Renewal month: ask who continues"),
            end - relativedelta(months=1),
            started and today >= end - relativedelta(months=1) and funnel_extra.get("active", 0) == 0,
            _admin("admin:matching_match_changelist", cycle__id__exact=cycle.pk),
        ),
        PlanStep("final", _("Final evaluation"), end, bool(final) and final[0].opens_on <= today, rounds_url),
        PlanStep("closed", _("Close the cycle"), end + CLOSE_AFTER_END, status == Cycle.Status.CLOSED, cycle_url),
    ]
    return steps


def next_step(steps: list[PlanStep]) -> PlanStep | None:
    return next((step for step in steps if not step.done), None)


# --- Evaluations ------------------------------------------------------------------------------------


@dataclass
class RoundSummary:
    round: EvaluationRound
    invited: int
    submitted: int
    rate: int  # percent
    can_show: bool
    state: str


def evaluation_summaries(rounds: list[EvaluationRound], *, today: datetime.date) -> list[RoundSummary]:
    """Per round: invitations, response rate, and whether results can be shown (R14 thresholds)."""
    minimum = evaluation_selectors.min_group_size()
    summaries = []
    for round_ in rounds:
        submitted = {Role.MENTOR: round_.submitted_mentors, Role.MENTEE: round_.submitted_mentees}
        total = sum(submitted[role] for role in round_.roles)
        can_show = round_.has_closed_on(today) and any(submitted[role] >= minimum for role in round_.roles)
        if today < round_.opens_on:
            state = _("not open yet")
        elif round_.is_open_on(today):
            state = _("open")
        else:
            state = _("closed")
        summaries.append(
            RoundSummary(
                round=round_,
                invited=round_.invited,
                submitted=total,
                rate=round(100 * total / round_.invited) if round_.invited else 0,
                can_show=can_show,
                state=state,
            )
        )
    return summaries


# --- Goals (issue 26 §3) -----------------------------------------------------------------------------


@dataclass
class GoalFigure:
    label: str
    value: object  # the count, or "te weinig"


def goal_figures(cycle: Cycle | None, *, matched: int) -> list[GoalFigure]:
    """Pairs with goals, pairs with an achieved goal, goals achieved: counts only, never a text (R11).

    Each only where `coordination.suppression` allows it (k or more, no small difference between the
    two), and no small difference with the funnel's "matched" either, which the page always shows beside
    them: the pairs without goals (or without an achieved one) are a group too.
    """
    if cycle is None:
        return []
    counts = goal_selectors.goal_counts(matches=Match.objects.filter(cycle=cycle))
    disclosure = Disclosure()
    disclosure.atom("goals_none_achieved", counts["pairs_with_goals"] - counts["pairs_with_achieved"])
    disclosure.atom("goals_achieved", counts["pairs_with_achieved"])
    disclosure.count("pairs_with_goals", ["goals_none_achieved", "goals_achieved"])
    disclosure.count("pairs_with_achieved", ["goals_achieved"])
    shown = disclosure.decide()
    for key in ("pairs_with_goals", "pairs_with_achieved"):
        if 0 < matched - counts[key] < disclosure.minimum:
            shown[key] = False
    shown["goals_achieved"] = shown["pairs_with_achieved"]
    return [
        GoalFigure(_("pairs with goals"), shown_or_too_few(counts["pairs_with_goals"], shown["pairs_with_goals"])),
        GoalFigure(
            _("pairs that achieved a goal"),
            shown_or_too_few(counts["pairs_with_achieved"], shown["pairs_with_achieved"]),
        ),
        GoalFigure(_("goals achieved"), shown_or_too_few(counts["goals_achieved"], shown["goals_achieved"])),
    ]


# --- The page --------------------------------------------------------------------------------------


def cockpit(*, cycle_id=None, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    cycles = list(Cycle.objects.order_by("-planned_start"))
    chosen = next((c for c in cycles if str(c.pk) == str(cycle_id)), None) if cycle_id else None
    cycle = chosen or current_cycle(cycles)
    steps, extra = funnel(cycle)
    rounds = _rounds(cycle) if cycle else []
    plan = year_plan(cycle, today=today, funnel_extra=extra, rounds=rounds) if cycle else []
    return {
        "today": today,
        "cycles": cycles,
        "cycle": cycle,
        "funnel": steps,
        "funnel_extra": extra,
        # Every cycle, as in the weekly digest, until she picks one: then that cycle's mentees and pairs.
        "attention": needs_attention(chosen, today=today),
        "attention_cycle": chosen,
        "plan": plan,
        "next_step": next_step(plan),
        "evaluations": evaluation_summaries(rounds, today=today),
        "goals": goal_figures(cycle, matched=extra["matches"]),
        "min_group_size": evaluation_selectors.min_group_size(),
    }


def programme_next_step(*, today: datetime.date | None = None) -> PlanStep | None:
    """The next step of the current cycle's year plan, as on top of the page: what the weekly digest points at."""
    today = today or timezone.localdate()
    cycle = current_cycle(list(Cycle.objects.order_by("-planned_start")))
    if cycle is None:
        return None
    _steps, extra = funnel(cycle)
    return next_step(year_plan(cycle, today=today, funnel_extra=extra, rounds=_rounds(cycle)))
