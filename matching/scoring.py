"""Match suggestions: the one home of the hard rules, the score and its reasons, and the optimal proposal.

Everything here works on plain `Candidate` values, so the same code scores one
pair for a coordinator's explanation, a whole cycle in the admin (vectorised with
numpy) and a generated cycle in `bench/matching.py`, and the service checks the
hard rules with it under row locks before saving anything.

Score (higher is better), every part explained in a reason a coordinator reads:
- a base for any allowed pair, so matching one more mentee always counts;
- each topic the mentee wants to grow in that the mentor offers (at most three count);
- the same region (more if the mentee asked for it);
- meeting preferences that agree, or clash (in person versus virtual, R9);
- the mentor's years of experience, and a penalty if she has no more than the mentee;
- no common language;
- the mentee's own ranking (issue 25 §2): a bonus for her 1st, 2nd and 3rd choice (`choice_points`).
"""

import dataclasses
import re
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from scipy.optimize import linear_sum_assignment

from accounts.eligibility import role_decision, years_of_experience
from accounts.models import MeetingPreference, Region

from .organisations import OrganisationRegister, conflict_reason

BASE_POINTS = 10
POINTS_PER_TOPIC = 10
MAX_TOPICS_COUNTED = 3
SAME_REGION_POINTS = 3
SAME_REGION_WISHED_POINTS = 8
SAME_WAY_OF_MEETING_POINTS = 5
MEETING_CLASH_PENALTY = -8
EXPERIENCE_POINTS_PER_5_YEARS = 2
EXPERIENCE_YEARS_COUNTED = 20
NO_MORE_EXPERIENCE_PENALTY = -6
NO_COMMON_LANGUAGE_PENALTY = -10
# Added to every allowed cell of the assignment, so the optimum first matches as many
# mentees as possible and only then maximises the score (scores stay far below it).
ASSIGNMENT_BONUS = 10_000
# The bonus for the mentee's 1st, 2nd and 3rd choice of mentor (issue 25 §2), unless the setting
# MATCHING_CHOICE_POINTS says otherwise. A first choice outweighs a shared topic or a region, not
# everything together: the optimum still weighs the whole cycle.
DEFAULT_CHOICE_POINTS = (40, 30, 20)


def choice_points() -> tuple[int, ...]:
    """The bonus per rank, first choice first: the one home of the ranking's weight."""
    return tuple(getattr(settings, "MATCHING_CHOICE_POINTS", None) or DEFAULT_CHOICE_POINTS)


def choice_bonus(mentor: "Candidate", mentee: "Candidate") -> tuple[int, int]:
    """(rank, points) when the mentee ranked this mentor, else (0, 0)."""
    if mentor.application_id not in mentee.choices:
        return 0, 0
    rank = mentee.choices.index(mentor.application_id) + 1
    points = choice_points()
    return rank, points[rank - 1] if rank <= len(points) else 0


_MEETING_CODES = {MeetingPreference.IN_PERSON: 0, MeetingPreference.VIRTUAL: 1, MeetingPreference.BOTH: 2}
# Points for (mentee preference, mentor preference), indexed by _MEETING_CODES.
_MEETING_POINTS = np.array(
    [
        [SAME_WAY_OF_MEETING_POINTS, MEETING_CLASH_PENALTY, 0],
        [MEETING_CLASH_PENALTY, SAME_WAY_OF_MEETING_POINTS, 0],
        [0, 0, 0],
    ]
)
_LANGUAGE_SPLIT = re.compile(r"[,;/&+]|\s+en\s+|\s+and\s+", re.IGNORECASE)


def parse_languages(text: str) -> frozenset[str]:
    return frozenset(part.strip().casefold() for part in _LANGUAGE_SPLIT.split(text or "") if part.strip())


@dataclass(frozen=True)
class Candidate:
    """One application as the scoring sees it."""

    application_id: int
    member_id: int
    name: str
    # The conflict-of-interest key (organisations.OrganisationRegister.key): her firm group, or
    # her normalised organisation name; `organisation_name` is what she typed, for display.
    organisation: str = ""
    organisation_name: str = ""
    region: str = ""
    meeting_preference: str = MeetingPreference.BOTH
    topics: frozenset[int] = frozenset()
    years: int = 0
    languages: frozenset[str] = frozenset({"nederlands"})
    # Mentee only
    allow_same_organisation: bool = False
    # Keys of the organisations she wants no mentor from ("niet met iemand van …").
    avoids: frozenset[str] = frozenset()
    prefers_same_region: bool = False
    has_live_match: bool = False
    # Members whose mentorship with her ended early or did not fit, in any cycle (issue 15 §3, issue 25 §5),
    # unless a coordinator allowed the pair again: not offered again.
    former_mentors: frozenset[int] = frozenset()
    # Her ranked mentors' application ids, first choice first (issue 25 §2).
    choices: tuple[int, ...] = ()
    # Mentor only
    free_places: int = 0
    # She pauses this cycle (issue 25 §4): no free place, and the Koppelscherm says why.
    paused: bool = False
    # Empty when she may take part in this role; otherwise why not (R2, R3).
    ineligible_reason: str = ""

    @property
    def eligible(self) -> bool:
        return not self.ineligible_reason


@dataclass
class Suggestion:
    mentor: Candidate
    mentee: Candidate
    score: int
    reasons: list[str] = field(default_factory=list)


def hard_rule_violation(mentor: Candidate, mentee: Candidate) -> str:
    """Why this pair may never be made, or "" when it may. Never overridden by a score."""
    if mentor.member_id == mentee.member_id:
        return _("A member cannot be her own mentor.")
    if not mentor.eligible:
        return _("The mentor may not take part as mentor: %(reason)s") % {"reason": mentor.ineligible_reason}
    if not mentee.eligible:
        return _("The mentee may not take part: %(reason)s") % {"reason": mentee.ineligible_reason}
    if mentor.paused:
        return _("%(name)s is pausing this cycle.") % {"name": mentor.name}
    if mentor.free_places <= 0:
        return _("%(name)s has no free place left for another mentee.") % {"name": mentor.name}
    if mentee.has_live_match:
        return _("%(name)s already has a mentor in this cycle.") % {"name": mentee.name}
    if mentor.member_id in mentee.former_mentors:
        return _("%(mentor)s and %(mentee)s were paired before, and it ended early or did not fit.") % {
            "mentor": mentor.name,
            "mentee": mentee.name,
        }
    conflict = organisation_conflict(mentor, mentee)
    if conflict:
        return _("%(mentor)s is not offered to %(mentee)s: %(reason)s.") % {
            "mentor": mentor.name,
            "mentee": mentee.name,
            "reason": conflict,
        }
    return ""


def organisation_conflict(mentor: Candidate, mentee: Candidate) -> str:
    """The conflict-of-interest hook: "zelfde organisatiegroep" or her own exclusion, else "".

    Never for herself (a member in both roles): that pair is ruled out as "not her own mentor" (issue 25 §7).
    """
    if mentor.member_id == mentee.member_id:
        return ""
    return conflict_reason(
        mentor_key=mentor.organisation,
        mentee_key=mentee.organisation,
        mentee_avoids=mentee.avoids,
        allow_same=mentee.allow_same_organisation,
    )


def explain(mentor: Candidate, mentee: Candidate, topic_names: dict[int, str] | None = None) -> Suggestion | None:
    """The score of one allowed pair with its reasons; None for a forbidden pair."""
    if hard_rule_violation(mentor, mentee):
        return None
    topic_names = topic_names or {}
    score = BASE_POINTS
    reasons = []
    shared = sorted(mentor.topics & mentee.topics, key=lambda pk: topic_names.get(pk, ""))
    if shared:
        score += POINTS_PER_TOPIC * min(len(shared), MAX_TOPICS_COUNTED)
        names = ", ".join(topic_names.get(pk, "?") for pk in shared)
        reasons.append(_("both %(topics)s") % {"topics": names})
    if mentor.region and mentor.region == mentee.region:
        score += SAME_REGION_WISHED_POINTS if mentee.prefers_same_region else SAME_REGION_POINTS
        reasons.append(_("same region (%(region)s)") % {"region": Region(mentor.region).label})
    meeting_codes = (_MEETING_CODES[mentee.meeting_preference], _MEETING_CODES[mentor.meeting_preference])
    meeting_points = int(_MEETING_POINTS[meeting_codes])
    if meeting_points:
        score += meeting_points
        labels = {
            MeetingPreference.IN_PERSON: _("wants to meet in person"),
            MeetingPreference.VIRTUAL: _("wants to meet virtually"),
        }
        if meeting_points > 0:
            reasons.append(_("%(wish)s, mentor too") % {"wish": labels[mentee.meeting_preference]})
        else:
            reasons.append(_("%(wish)s, mentor does not") % {"wish": labels[mentee.meeting_preference]})
    experience = min(mentor.years, EXPERIENCE_YEARS_COUNTED) // 5 * EXPERIENCE_POINTS_PER_5_YEARS
    score += experience
    reasons.append(_("mentor %(years)s years of experience") % {"years": mentor.years})
    if mentor.years <= mentee.years:
        score += NO_MORE_EXPERIENCE_PENALTY
        reasons.append(_("mentor has no more experience than the mentee"))
    if not (mentor.languages & mentee.languages):
        score += NO_COMMON_LANGUAGE_PENALTY
        reasons.append(_("no common language"))
    rank, points = choice_bonus(mentor, mentee)
    if rank:
        score += points
        reasons.insert(0, _("the mentee's choice no. %(rank)s") % {"rank": rank})
    return Suggestion(mentor=mentor, mentee=mentee, score=score, reasons=reasons)


@dataclass
class ScoreTable:
    """Scores of every mentee (rows) against every mentor (columns); `allowed` marks the hard rules."""

    mentors: list[Candidate]
    mentees: list[Candidate]
    scores: np.ndarray
    allowed: np.ndarray

    def score_of(self, mentee_index: int, mentor_index: int) -> int:
        return int(self.scores[mentee_index, mentor_index])


def _codes(values) -> tuple[np.ndarray, dict]:
    index: dict = {}
    return np.array([index.setdefault(value, len(index)) for value in values], dtype=np.int64), index


def _membership(sets: list[frozenset], universe: dict) -> np.ndarray:
    matrix = np.zeros((len(sets), max(len(universe), 1)), dtype=np.float32)
    for row, items in enumerate(sets):
        for item in items:
            matrix[row, universe[item]] = 1
    return matrix


@dataclass
class Universes:
    """The codes `prepare` gave each organisation, region, topic and language (only equality counts)."""

    organisations: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    topics: dict = field(default_factory=dict)
    languages: dict = field(default_factory=dict)

    def add(self, candidates) -> None:
        for c in candidates:
            self.organisations.setdefault(c.organisation, len(self.organisations))
            self.regions.setdefault(c.region, len(self.regions))
            for topic in c.topics:
                self.topics.setdefault(topic, len(self.topics))
            for language in c.languages:
                self.languages.setdefault(language, len(self.languages))


@dataclass
class Prepared:
    """Both sides of a cycle as arrays, computed once; `score_rows` scores any block of mentees from them."""

    mentee_ids: np.ndarray
    mentor_ids: np.ndarray
    mentee_orgs: np.ndarray
    mentor_orgs: np.ndarray
    mentor_has_org: np.ndarray
    allow_same: np.ndarray
    mentor_ok: np.ndarray
    mentee_ok: np.ndarray
    mentee_topics: np.ndarray
    mentor_topics: np.ndarray
    mentee_regions: np.ndarray
    mentor_regions: np.ndarray
    mentor_has_region: np.ndarray
    wished: np.ndarray
    mentee_meeting: np.ndarray
    mentor_meeting: np.ndarray
    mentee_years: np.ndarray
    mentor_years: np.ndarray
    mentee_languages: np.ndarray
    mentor_languages: np.ndarray
    # Organisations a mentee named herself (conflict of interest), and mentors whose pair with her
    # ended early or did not fit (issue 25 §5): (mentee row, mentor column) pairs that are never allowed.
    avoid_rows: np.ndarray
    avoid_columns: np.ndarray
    # The mentees' ranked mentors (issue 25 §2): (mentee row, mentor column, bonus).
    choice_rows: np.ndarray
    choice_columns: np.ndarray
    choice_points: np.ndarray
    universes: Universes | None = None


def _mentor_arrays(mentors: list[Candidate], u: Universes) -> dict:
    return {
        "mentor_ids": np.array([c.member_id for c in mentors], dtype=np.int64),
        "mentor_orgs": np.array([u.organisations[c.organisation] for c in mentors], dtype=np.int64),
        "mentor_has_org": np.array([bool(c.organisation) for c in mentors], dtype=bool),
        "mentor_ok": np.array([c.eligible and c.free_places > 0 for c in mentors], dtype=bool),
        "mentor_topics": _membership([c.topics for c in mentors], u.topics),
        "mentor_regions": np.array([u.regions[c.region] for c in mentors], dtype=np.int64),
        "mentor_has_region": np.array([bool(c.region) for c in mentors], dtype=bool),
        "mentor_meeting": np.array([_MEETING_CODES[c.meeting_preference] for c in mentors], dtype=np.int64),
        "mentor_years": np.array([c.years for c in mentors], dtype=np.int64),
        "mentor_languages": _membership([c.languages for c in mentors], u.languages),
    }


def _mentee_arrays(mentees: list[Candidate], u: Universes) -> dict:
    return {
        "mentee_ids": np.array([c.member_id for c in mentees], dtype=np.int64),
        "mentee_orgs": np.array([u.organisations[c.organisation] for c in mentees], dtype=np.int64),
        "allow_same": np.array([c.allow_same_organisation for c in mentees], dtype=bool),
        "mentee_ok": np.array([c.eligible and not c.has_live_match for c in mentees], dtype=bool),
        "mentee_topics": _membership([c.topics for c in mentees], u.topics),
        "mentee_regions": np.array([u.regions[c.region] for c in mentees], dtype=np.int64),
        "wished": np.array([c.prefers_same_region for c in mentees], dtype=bool),
        "mentee_meeting": np.array([_MEETING_CODES[c.meeting_preference] for c in mentees], dtype=np.int64),
        "mentee_years": np.array([c.years for c in mentees], dtype=np.int64),
        "mentee_languages": _membership([c.languages for c in mentees], u.languages),
    }


def _pairs(mentors: list[Candidate], mentees: list[Candidate], rows) -> tuple[list, list]:
    """The never-allowed (row, column) pairs and the ranked (row, column, bonus) ones of these mentee rows."""
    mentor_columns: dict[str, list[int]] = {}
    for column, c in enumerate(mentors):
        if c.organisation:
            mentor_columns.setdefault(c.organisation, []).append(column)
    avoided = [(row, column) for row in rows for key in mentees[row].avoids for column in mentor_columns.get(key, [])]
    # A pair that ended early or did not fit is not made again: the same hard rule as `hard_rule_violation`.
    column_of_member = {c.member_id: column for column, c in enumerate(mentors)}
    avoided += [
        (row, column_of_member[member_id])
        for row in rows
        for member_id in mentees[row].former_mentors
        if member_id in column_of_member
    ]
    column_of_application = {c.application_id: column for column, c in enumerate(mentors)}
    points = choice_points()
    ranked = [
        (row, column_of_application[pk], points[rank] if rank < len(points) else 0)
        for row in rows
        for rank, pk in enumerate(mentees[row].choices)
        if pk in column_of_application
    ]
    return avoided, ranked


def _column_pairs(mentors: list[Candidate], mentees: list[Candidate], columns, skip_rows) -> list:
    """The never-allowed (row, column) pairs of these mentor columns, leaving out the rows in ``skip_rows``."""
    return [
        (row, column)
        for row, c in enumerate(mentees)
        if row not in skip_rows and (c.avoids or c.former_mentors)
        for column in columns
        if (mentors[column].organisation and mentors[column].organisation in c.avoids)
        or mentors[column].member_id in c.former_mentors
    ]


def _pair_arrays(avoided, ranked) -> dict:
    return {
        "avoid_rows": np.array([row for row, _column in avoided], dtype=np.int64),
        "avoid_columns": np.array([column for _row, column in avoided], dtype=np.int64),
        "choice_rows": np.array([row for row, _column, _points in ranked], dtype=np.int64),
        "choice_columns": np.array([column for _row, column, _points in ranked], dtype=np.int64),
        "choice_points": np.array([bonus for _row, _column, bonus in ranked], dtype=np.int32),
    }


def prepare(mentors: list[Candidate], mentees: list[Candidate]) -> Prepared:
    universes = Universes()
    universes.add(mentors + mentees)
    avoided, ranked = _pairs(mentors, mentees, range(len(mentees)))
    return Prepared(
        **_mentor_arrays(mentors, universes),
        **_mentee_arrays(mentees, universes),
        **_pair_arrays(avoided, ranked),
        universes=universes,
    )


def _widen(matrix: np.ndarray, width: int) -> np.ndarray:
    return matrix if matrix.shape[1] >= width else np.pad(matrix, ((0, 0), (0, width - matrix.shape[1])))


def prepare_again(p: Prepared, mentors: list[Candidate], mentees: list[Candidate], *, columns=(), rows=()) -> Prepared:
    """`prepare(mentors, mentees)` for the same cycle after the mentors in ``columns`` and the mentees in
    ``rows`` changed (same places, same applications), from ``p`` without encoding everyone again.

    Scores the same as preparing anew; ``p`` itself is left as it was (it may be shared).
    """
    columns, rows = sorted(set(columns)), sorted(set(rows))
    u = p.universes
    universes = Universes(dict(u.organisations), dict(u.regions), dict(u.topics), dict(u.languages))
    universes.add([mentors[column] for column in columns] + [mentees[row] for row in rows])
    topics, languages = max(len(universes.topics), 1), max(len(universes.languages), 1)
    fields = {name: getattr(p, name).copy() for name in _ARRAY_FIELDS}
    for name in ("mentor_topics", "mentee_topics"):
        fields[name] = _widen(fields[name], topics)
    for name in ("mentor_languages", "mentee_languages"):
        fields[name] = _widen(fields[name], languages)
    if columns:
        for name, values in _mentor_arrays([mentors[column] for column in columns], universes).items():
            fields[name][columns] = values
    if rows:
        for name, values in _mentee_arrays([mentees[row] for row in rows], universes).items():
            fields[name][rows] = values
    # The pairs of the changed rows and columns again; every other pair stays.
    keep_avoid = ~(np.isin(p.avoid_rows, rows) | np.isin(p.avoid_columns, columns))
    keep_choice = ~np.isin(p.choice_rows, rows)
    avoided, ranked = _pairs(mentors, mentees, rows)
    avoided += _column_pairs(mentors, mentees, columns, set(rows))
    again = _pair_arrays(avoided, ranked)
    for name, keep in (("avoid_rows", keep_avoid), ("avoid_columns", keep_avoid)):
        fields[name] = np.concatenate([getattr(p, name)[keep], again[name]])
    for name in ("choice_rows", "choice_columns", "choice_points"):
        fields[name] = np.concatenate([getattr(p, name)[keep_choice], again[name]])
    return Prepared(**fields, universes=universes)


_ARRAY_FIELDS = [f.name for f in dataclasses.fields(Prepared) if f.name != "universes"]


def _positions(selection, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The indexes a selection (slice or index array) picks, and where each index sits in it (-1: not)."""
    index = np.arange(size, dtype=np.int64)[selection]
    position = np.full(size, -1, dtype=np.int64)
    position[index] = np.arange(len(index), dtype=np.int64)
    return index, position


def score_block(p: Prepared, rows, columns) -> tuple[np.ndarray, np.ndarray]:
    """Scores (int32) and the hard rules (bool) of the mentees ``rows`` against the mentors ``columns``
    (each a slice or an array of indexes). The same arithmetic as `explain`, as matrix operations."""
    rows, row_at = _positions(rows, len(p.mentee_ids))
    columns, column_at = _positions(columns, len(p.mentor_ids))
    allowed = (
        (p.mentee_ids[rows, None] != p.mentor_ids[None, columns])
        & p.mentor_ok[None, columns]
        & p.mentee_ok[rows, None]
        & ~(
            (p.mentee_orgs[rows, None] == p.mentor_orgs[None, columns])
            & p.mentor_has_org[None, columns]
            & ~p.allow_same[rows, None]
        )
    )
    # Organisations a mentee named herself (the conflict-of-interest register's hard rule), former mentors.
    at_row, at_column = row_at[p.avoid_rows], column_at[p.avoid_columns]
    hit = (at_row >= 0) & (at_column >= 0)
    allowed[at_row[hit], at_column[hit]] = False
    shared_topics = (p.mentee_topics[rows] @ p.mentor_topics[columns].T).astype(np.int32)
    scores = BASE_POINTS + POINTS_PER_TOPIC * np.minimum(shared_topics, MAX_TOPICS_COUNTED)
    same_region = (p.mentee_regions[rows, None] == p.mentor_regions[None, columns]) & p.mentor_has_region[None, columns]
    scores += same_region * np.where(p.wished[rows, None], SAME_REGION_WISHED_POINTS, SAME_REGION_POINTS).astype(
        np.int32
    )
    scores += _MEETING_POINTS[p.mentee_meeting[rows, None], p.mentor_meeting[None, columns]].astype(np.int32)
    mentor_years = p.mentor_years[columns]
    experience = np.minimum(mentor_years, EXPERIENCE_YEARS_COUNTED) // 5 * EXPERIENCE_POINTS_PER_5_YEARS
    scores += experience.astype(np.int32)[None, :]
    scores += np.where(mentor_years[None, :] <= p.mentee_years[rows, None], NO_MORE_EXPERIENCE_PENALTY, 0).astype(
        np.int32
    )
    common = p.mentee_languages[rows] @ p.mentor_languages[columns].T
    scores += np.where(common > 0, 0, NO_COMMON_LANGUAGE_PENALTY).astype(np.int32)
    # Her ranking: the bonus of each choice (a mentee ranks a mentor once, so no cell is hit twice).
    at_row, at_column = row_at[p.choice_rows], column_at[p.choice_columns]
    hit = (at_row >= 0) & (at_column >= 0)
    scores[at_row[hit], at_column[hit]] += p.choice_points[hit]
    return scores.astype(np.int32, copy=False), allowed


def score_rows(p: Prepared, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores (int32) and the hard rules (bool) of mentees start..stop against every mentor.

    The same arithmetic as `explain`, as matrix operations; `score_table` is all rows at once.
    """
    return score_block(p, slice(start, stop), slice(None))


def score_table(mentors: list[Candidate], mentees: list[Candidate]) -> ScoreTable:
    """All scores at once: the same arithmetic as `explain`, as matrix operations (fast for a whole cycle)."""
    n, m = len(mentees), len(mentors)
    if not n or not m:
        return ScoreTable(mentors, mentees, np.zeros((n, m), dtype=np.int64), np.zeros((n, m), dtype=bool))
    scores, allowed = score_rows(prepare(mentors, mentees), 0, n)
    return ScoreTable(mentors, mentees, scores.astype(np.int64), allowed)


def optimal_assignment(table: ScoreTable) -> list[tuple[int, int]]:
    """(mentee index, mentor index) pairs maximising the number of matches, then the total score.

    Each mentor becomes as many columns as she has free places, forbidden cells are worth
    nothing and are dropped if the solver still uses them: a hard rule is never broken.
    """
    slot_owner = np.repeat(np.arange(len(table.mentors)), [max(c.free_places, 0) for c in table.mentors])
    if not len(table.mentees) or not len(slot_owner):
        return []
    allowed = table.allowed[:, slot_owner]
    weights = np.where(allowed, table.scores[:, slot_owner] + ASSIGNMENT_BONUS, 0)
    rows, columns = linear_sum_assignment(weights, maximize=True)
    return sorted(
        (int(row), int(slot_owner[column])) for row, column in zip(rows, columns, strict=True) if allowed[row, column]
    )


def greedy_assignment(table: ScoreTable) -> list[tuple[int, int]]:
    """Best remaining pair first: the obvious approach the optimum is measured against."""
    free = [max(c.free_places, 0) for c in table.mentors]
    taken = np.zeros(len(table.mentees), dtype=bool)
    flat = np.flatnonzero(table.allowed)
    order = flat[np.argsort(-table.scores.ravel()[flat], kind="stable")]
    pairs = []
    mentor_count = len(table.mentors)
    for cell in order:
        row, column = divmod(int(cell), mentor_count)
        if not taken[row] and free[column] > 0:
            taken[row] = True
            free[column] -= 1
            pairs.append((row, column))
    return sorted(pairs)


def total_score(table: ScoreTable, pairs: list[tuple[int, int]]) -> int:
    return sum(table.score_of(row, column) for row, column in pairs)


# --- From the database ----------------------------------------------------------


def candidate_from_application(
    application,
    *,
    free_places: int = 0,
    has_live_match: bool = False,
    former_mentors: frozenset[int] = frozenset(),
    choices: tuple[int, ...] = (),
    register: OrganisationRegister | None = None,
) -> Candidate:
    """A Candidate for an Application with its member's profile (topics prefetched where possible).

    Pass the `register` when building many candidates, so the firm groups are read once.
    """
    from .models import Role

    if register is None:
        register = OrganisationRegister.load()

    member = application.member
    profile = getattr(member, "profile", None)
    decision = role_decision(member, application.role)
    topics = {topic.pk for topic in application.topics.all()}
    if application.role == Role.MENTOR and profile is not None:
        topics |= {topic.pk for topic in profile.expertise.all()}
    return Candidate(
        application_id=application.pk,
        member_id=member.pk,
        name=str(member),
        organisation=register.key(profile.organisation) if profile else "",
        organisation_name=profile.organisation if profile else "",
        avoids=register.avoided_keys(application.avoid_organisations)
        if application.role == Role.MENTEE
        else frozenset(),
        region=profile.region if profile else "",
        meeting_preference=application.meeting_preference,
        topics=frozenset(topics),
        years=years_of_experience(profile.career_start_year) if profile else 0,
        languages=parse_languages(profile.languages) if profile else frozenset(),
        allow_same_organisation=application.allow_same_organisation,
        prefers_same_region=application.prefers_same_region,
        has_live_match=has_live_match,
        former_mentors=frozenset(former_mentors),
        choices=tuple(choices),
        free_places=free_places,
        paused=application.paused if application.role == Role.MENTOR else False,
        ineligible_reason="" if decision else str(decision.reason),
    )
