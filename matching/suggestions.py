"""The Koppelscherm's candidate set: every open mentee's best mentors, kept up to date change by change.

Scoring a whole cycle (4,000 applications) takes seconds; a page of 50 mentees must not, and
neither may the first page after a change (issue 24). So the best SUGGESTIONS_KEPT mentors of
every mentee are computed once in one vectorised pass (`scoring.score_table` with numpy), in a
background job, and kept in the cache together with the cycle's candidates. After that a change
is applied where it happens:

- every save or delete of an application, a match or a profile (signals below) records the
  members it touched in a change log (a sequence number in the cache, one entry per change);
- the next read of the set reloads only those members' candidates (a few queries) and scores
  again only what they touch: her row (a mentee: her own suggestions), the mentor's column
  against every mentee (vectorised), and the rows that had or now want that mentor;
- a change too large for that (an application that came or went, an import, more than
  MAX_LOCAL_CHANGES members, a change that bypassed the signals and shows only in the cycle's
  state read from the database) starts the full computation in the background: meanwhile the page
  shows the last set, marked as being updated (``updating``).

Ties are broken by the mentor's place in the cycle (oldest application first), so a set kept up to
date this way equals a full computation.
"""

import dataclasses
import logging
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from accounts.models import Profile
from core.tasks import start_within

from . import scoring, selectors
from .models import Application, Cycle, FitCheck, Match, PairOverride

logger = logging.getLogger(__name__)

SUGGESTIONS_KEPT = 10
CACHE_SECONDS = 24 * 60 * 60
# More members changed than this since the stored set: the background job computes it again.
MAX_LOCAL_CHANGES = 200
# The set carries the candidates changed since the work was stored whole; beyond this many the work is
# stored whole again.
REBASE_AFTER = 500
# How long a started background computation keeps others from starting another.
UPDATING_SECONDS = 10 * 60
COMPUTE_TASK = "matching.candidate_set_compute"
_SEQUENCE_KEY = "matching:candidates:changes"
_EVERYTHING = "*"


class LeftOut(NamedTuple):
    """A mentor left out for an organisation, as the Koppelscherm names her (no need to read her again)."""

    application_id: int
    member_id: int
    name: str
    # The conflict-of-interest key (`scoring.organisation_conflict` reads it) and what she typed.
    organisation: str
    organisation_name: str


@dataclass
class CandidateSet:
    """What the Koppelscherm and the proposal need to know about a cycle, without the score matrix."""

    fingerprint: str
    # mentee application id -> [(mentor application id, score)], best first (allowed pairs only).
    suggestions: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # mentee application id -> mentor application ids with a free place left out for an organisation
    # (same organisation group, or one she named): the Koppelscherm says so (conflict of interest).
    not_offered: dict[int, list[int]] = field(default_factory=dict)
    # mentor application id -> how the page names her (the fields of `LeftOut`, a plain tuple: quicker to
    # store), for every mentor with an organisation and a free place: all `not_offered` can name.
    left_out: dict[int, tuple] = field(default_factory=dict)
    matched_mentees: int = 0
    open_mentees: int = 0
    mentors: int = 0
    mentors_with_places: int = 0
    free_places: int = 0
    # The change log's sequence number this set includes.
    applied: int = 0
    # True while the background job computes a newer set: the page says "wordt bijgewerkt".
    updating: bool = False
    # The work this set was computed on: the one stored whole under `work_base`, with these candidates
    # (application id -> candidate) changed since. Read only to bring the set up to date (`_work_of`).
    work_base: str = ""
    changed: dict[int, scoring.Candidate] = field(default_factory=dict)


@dataclass
class Work:
    """The cycle's candidates in the order of the full computation (stored beside the set, read only to update it)."""

    mentors: list[scoring.Candidate]
    mentees: list[scoring.Candidate]
    # The version it was stored whole under ("" until stored): a set names it as its `work_base`.
    base: str = ""
    # Both sides as arrays (`scoring.prepare`), kept in this process only: a change encodes again only the
    # candidates it touched (`scoring.prepare_again`). Never stored: a process that reads the work prepares once.
    prepared: scoring.Prepared | None = field(default=None, compare=False, repr=False)

    def __getstate__(self):
        return {**self.__dict__, "prepared": None}

    def prepared_now(self) -> scoring.Prepared:
        if self.prepared is None:
            self.prepared = scoring.prepare(self.mentors, self.mentees)
        return self.prepared


# --- The change log ------------------------------------------------------------------------------


def _sequence() -> int:
    return cache.get_or_set(_SEQUENCE_KEY, 0, None) or 0


def record_change(member_ids) -> None:
    """Note that these members' applications, pairs or profile changed (``[_EVERYTHING]``: anything may have)."""
    try:
        number = cache.incr(_SEQUENCE_KEY)
    except ValueError:
        cache.add(_SEQUENCE_KEY, 0, None)
        number = cache.incr(_SEQUENCE_KEY)
    cache.set(f"{_SEQUENCE_KEY}:{number}", [pk for pk in member_ids if pk is not None], CACHE_SECONDS)


def invalidate() -> None:
    """Everything may have changed (an import, a bulk edit): the next read recomputes in the background."""
    record_change([_EVERYTHING])


def fingerprint(cycle: Cycle) -> str:
    """The cycle's state plus the change log's position: any relevant change alters it."""
    return f"{_sequence()}-{selectors.cycle_state(cycle)}"


# --- Scoring ---------------------------------------------------------------------------------------


def _ranked(scores: np.ndarray, allowed: np.ndarray, keep: int) -> list[list[tuple[int, int]]]:
    """Per row, the columns of the best `keep` allowed scores as (column, score), best first.

    Ties go to the lower column (the older application), so the same rows always give the same answer.
    """
    rows, columns = scores.shape
    if not rows or not columns:
        return [[] for _ in range(rows)]
    keep = min(keep, columns)
    index = np.arange(columns, dtype=np.int64)
    keys = np.where(
        allowed, scores.astype(np.int64) * (columns + 1) + (columns - index)[None, :], np.iinfo(np.int64).min
    )
    top = np.argpartition(keys, columns - keep, axis=1)[:, columns - keep :]
    order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    return [
        [(int(column), int(scores[row, column])) for column in top[row] if allowed[row, column]] for row in range(rows)
    ]


def _suggest(mentors, mentees, prepared: scoring.Prepared, rows=slice(None)) -> dict[int, list[tuple[int, int]]]:
    """The best mentors of the mentees in ``rows`` (every one by default) among all of the cycle's mentors,
    from the cycle prepared as arrays (vectorised over the rows)."""
    chosen = mentees[rows] if isinstance(rows, slice) else [mentees[row] for row in rows]
    if not chosen:
        return {}
    if not mentors:
        return {mentee.application_id: [] for mentee in chosen}
    scores, allowed = scoring.score_block(prepared, rows, slice(None))
    ranked = _ranked(scores, allowed, SUGGESTIONS_KEPT)
    return {
        mentee.application_id: [(mentors[column].application_id, score) for column, score in best]
        for mentee, best in zip(chosen, ranked, strict=True)
    }


def _organisation_mentors(mentors) -> dict[str, list[scoring.Candidate]]:
    """The mentors with a free place by organisation key: the ones a conflict of interest can leave out."""
    by_organisation: dict[str, list[scoring.Candidate]] = {}
    for mentor in mentors:
        if mentor.organisation and mentor.free_places > 0:
            by_organisation.setdefault(mentor.organisation, []).append(mentor)
    return by_organisation


def _left_out_for(mentee, by_organisation) -> list[int]:
    """The mentors (application ids) left out of her suggestions for an organisation."""
    keys = set(mentee.avoids)
    if mentee.organisation and not mentee.allow_same_organisation:
        keys.add(mentee.organisation)
    # Not herself, when she applied in both roles: that is no conflict of interest (issue 25 §7).
    return [
        mentor.application_id
        for key in keys
        for mentor in by_organisation.get(key, [])
        if mentor.member_id != mentee.member_id
    ]


def _as_left_out(mentor) -> tuple:
    return (mentor.application_id, mentor.member_id, mentor.name, mentor.organisation, mentor.organisation_name)


def _summary(
    work: Work, suggestions: dict, *, state: str, applied: int, previous: CandidateSet | None = None, rows=()
) -> CandidateSet:
    """The set's counts and the mentors left out for an organisation, from the candidates (no scoring).

    With ``previous`` (a set whose mentors had the same organisations, places and names: `_as_left_out`
    is the same for each), only the mentees in ``rows`` have their mentors left out worked out again.
    """
    mentors, mentees = work.mentors, work.mentees
    result = CandidateSet(
        fingerprint=state,
        suggestions=suggestions,
        applied=applied,
        matched_mentees=sum(1 for mentee in mentees if mentee.has_live_match),
        mentors=len(mentors),
        mentors_with_places=sum(1 for mentor in mentors if mentor.eligible and mentor.free_places > 0),
        free_places=sum(mentor.free_places for mentor in mentors if mentor.eligible),
    )
    result.open_mentees = len(mentees) - result.matched_mentees
    if not mentors or not mentees:
        return result
    by_organisation = _organisation_mentors(mentors)
    if previous is not None:
        result.not_offered = dict(previous.not_offered)
        result.left_out = previous.left_out
    else:
        rows = mentees
        # Every mentor a list can name (with an organisation and a free place), so the page reads none again.
        result.left_out = {
            mentor.application_id: _as_left_out(mentor) for group in by_organisation.values() for mentor in group
        }
    for mentee in rows:
        left_out = _left_out_for(mentee, by_organisation)
        if left_out:
            result.not_offered[mentee.application_id] = left_out
        else:
            result.not_offered.pop(mentee.application_id, None)
    return result


def compute(cycle: Cycle, state: str, applied: int = 0) -> tuple[CandidateSet, Work]:
    """The whole cycle's candidate set: every mentee against every mentor. Seconds for a large cycle:
    only the background job (and a cycle's first read where no worker runs) calls it."""
    mentors, mentees, _topic_names = selectors.cycle_candidates(cycle=cycle)
    work = Work(mentors=mentors, mentees=mentees)
    return _summary(work, _suggest(mentors, mentees, work.prepared_now()), state=state, applied=applied), work


def _update(cycle: Cycle, found: CandidateSet, work: Work, member_ids: set[int], *, state: str, applied: int):
    """The set after these members changed, scoring only what they touch; None when the change is too large."""
    known = {c.application_id for c in work.mentors + work.mentees if c.member_id in member_ids}
    current = set(
        Application.objects.filter(
            cycle=cycle, status=Application.Status.SUBMITTED, member_id__in=member_ids
        ).values_list("pk", flat=True)
    )
    if current != known:
        return None  # an application came or went: the columns or rows themselves change
    if not known:
        return dataclasses.replace(found, fingerprint=state, applied=applied), work
    mentors_now, mentees_now, _topic_names = selectors.cycle_candidates(cycle=cycle, application_ids=known)
    now = {c.application_id: c for c in mentors_now + mentees_now}
    if set(now) != known:
        return None
    mentors, mentees = list(work.mentors), list(work.mentees)
    changed = dict(found.changed)
    changed_columns = []
    # Whether a mentor's organisation, free place or name changed: every list of mentors left out may change.
    left_out_changed = False
    for column, mentor in enumerate(mentors):
        candidate = now.get(mentor.application_id)
        if candidate is not None and candidate != mentor:
            left_out_changed |= _as_left_out(candidate) != _as_left_out(mentor) or (candidate.free_places > 0) != (
                mentor.free_places > 0
            )
            mentors[column] = changed[candidate.application_id] = candidate
            changed_columns.append(column)
    changed_rows = set()
    for row, mentee in enumerate(mentees):
        candidate = now.get(mentee.application_id)
        if candidate is not None and candidate != mentee:
            mentees[row] = changed[candidate.application_id] = candidate
            changed_rows.add(row)
    rows = set(changed_rows)
    suggestions = dict(found.suggestions)
    prepared = scoring.prepare_again(work.prepared_now(), mentors, mentees, columns=changed_columns, rows=changed_rows)
    if changed_columns and mentees:
        # The changed mentors' columns against every mentee, vectorised: a row is scored again when she
        # had one of them among her best (the score may have dropped) or one now beats her last one.
        columns = len(mentors)
        keep = min(SUGGESTIONS_KEPT, columns)
        column_of = {mentor.application_id: column for column, mentor in enumerate(mentors)}
        changed_ids = {mentors[column].application_id for column in changed_columns}
        lowest = np.full(len(mentees), np.iinfo(np.int64).min, dtype=np.int64)
        for row, mentee in enumerate(mentees):
            best = suggestions.get(mentee.application_id)
            if not best:
                continue
            if len(best) >= keep:
                mentor_id, score = best[-1]
                lowest[row] = score * (columns + 1) + (columns - column_of[mentor_id])
            if not changed_ids.isdisjoint([mentor_id for mentor_id, _score in best]):
                rows.add(row)
        scores, allowed = scoring.score_block(prepared, slice(None), np.array(changed_columns, dtype=np.int64))
        for position, column in enumerate(changed_columns):
            keys = scores[:, position].astype(np.int64) * (columns + 1) + (columns - column)
            wanted = allowed[:, position] & (keys > lowest)
            rows.update(int(row) for row in np.flatnonzero(wanted))
    if rows:
        suggestions.update(_suggest(mentors, mentees, prepared, np.array(sorted(rows), dtype=np.int64)))
    work = Work(mentors=mentors, mentees=mentees, base=work.base, prepared=prepared)
    updated = _summary(
        work,
        suggestions,
        state=state,
        applied=applied,
        previous=None if left_out_changed else found,
        rows=[mentees[row] for row in sorted(changed_rows)],
    )
    updated.work_base, updated.changed = work.base, changed
    return updated, work


# --- Reading and storing -----------------------------------------------------------------------------


def _keys(cycle_id) -> tuple[str, str, str]:
    base = f"matching:candidates:{cycle_id}"
    return f"{base}:set", f"{base}:work", f"{base}:updating"


def _version_key(cycle_id) -> str:
    return f"matching:candidates:{cycle_id}:version"


# Per process: the set and work last read or stored, under the version they were stored with. Unpickling
# them from the cache takes longer than the rest of the Koppelscherm (thousands of candidates), so a
# process asks the cache only for the version and unpickles again only when another process stored a newer
# set. Shared by a worker's threads: treat as read-only (changes go through `dataclasses.replace` and `store`).
_in_process: dict = {}
# Per process: the work last stored whole (cycle id -> Work, its `base` the version it was stored under).
# A change stores only the set, which carries the candidates changed since (`CandidateSet.changed`).
_bases: dict = {}


def store(cycle_id, found: CandidateSet, work: Work) -> None:
    """Store the set; the work only when it is new or the set carries more than REBASE_AFTER changed candidates
    (pickling the whole work costs more than the rest of an update)."""
    set_key, work_key, _updating = _keys(cycle_id)
    found.updating = False
    version = uuid.uuid4().hex
    values = {set_key: found}
    if not work.base or work.base != found.work_base or len(found.changed) > REBASE_AFTER:
        work = Work(mentors=work.mentors, mentees=work.mentees, base=version, prepared=work.prepared)
        found.work_base, found.changed = version, {}
        values[work_key] = work
        _bases[cycle_id] = work
    # The version last: whoever reads it finds the set and work it names (one MSET on Redis).
    values[_version_key(cycle_id)] = version
    cache.set_many(values, CACHE_SECONDS)
    _in_process[cycle_id] = (version, found, work)


def _work_of(cycle_id, found: CandidateSet) -> Work | None:
    """The work the set was brought up to date on: the stored whole work with the set's changed candidates."""
    base = _bases.get(cycle_id)
    if base is None or base.base != found.work_base:
        base = cache.get(_keys(cycle_id)[1])
        if base is None or getattr(base, "base", "") != found.work_base or not found.work_base:
            return None  # stored whole again since (or never): the background job computes it again
        _bases[cycle_id] = base
    if not found.changed:
        return base
    changed = found.changed
    return Work(
        mentors=[changed.get(c.application_id, c) for c in base.mentors],
        mentees=[changed.get(c.application_id, c) for c in base.mentees],
        base=base.base,
    )


def _stored(cycle_id, *, with_work: bool = False) -> tuple[CandidateSet | None, Work | None]:
    """The stored set (and work), from this process's memory while the cache holds the same version."""
    set_key, _work_key, _updating = _keys(cycle_id)
    version = cache.get(_version_key(cycle_id))
    kept = _in_process.get(cycle_id)
    if version is not None and kept is not None and kept[0] == version:
        found, work = kept[1], kept[2]
        if with_work and work is None:
            work = _work_of(cycle_id, found)
            _in_process[cycle_id] = (version, found, work)
        return found, work
    found = cache.get(set_key)
    work = _work_of(cycle_id, found) if with_work and found is not None else None
    if version is not None and found is not None:
        _in_process[cycle_id] = (version, found, work)
    return found, work


def compute_and_store(cycle: Cycle) -> CandidateSet:
    """The background job's work: the full computation, stored; the change log's later entries apply on top."""
    applied = _sequence()
    found, work = compute(cycle, selectors.cycle_state(cycle), applied)
    store(cycle.pk, found, work)
    cache.delete(_keys(cycle.pk)[2])
    return found


def _start_background_job(cycle_id: int) -> None:
    start_within(COMPUTE_TASK, (cycle_id,))


def _recompute_in_background(cycle: Cycle) -> bool:
    """Start the full computation in the worker; False when no worker could be asked (the broker is down)."""
    if not cache.add(_keys(cycle.pk)[2], True, UPDATING_SECONDS):
        return True  # already started
    try:
        _start_background_job(cycle.pk)
    except Exception:  # noqa: BLE001 - a broker that is down must not cost the coordinator the page
        logger.warning("Could not start the candidate set's computation in the background.", exc_info=True)
        cache.delete(_keys(cycle.pk)[2])
        return False
    return True


def candidate_set(cycle: Cycle) -> CandidateSet:
    """The cycle's candidate set: the stored one with the changes since applied, never a full computation here.

    When the change is too large, or nothing was stored yet, the background job computes it and the
    page gets the last set (or an empty one) marked ``updating``. Where tasks run in-process (tests,
    `make run` without Redis) the job has finished by the time this reads the cache again.
    """
    _set_key, _work_key, updating_key = _keys(cycle.pk)
    sequence = _sequence()
    found, _work = _stored(cycle.pk)
    if found is None:
        if not _recompute_in_background(cycle):
            # No worker to ask and no earlier set to show (Redis down: broker and cache): as before issue 24.
            return compute_and_store(cycle)
        found, _work = _stored(cycle.pk)
        return found if found is not None else CandidateSet(fingerprint="", updating=True)
    state = selectors.cycle_state(cycle)
    if found.applied >= sequence and found.fingerprint == state:
        return found
    if found.applied < sequence and not cache.get(updating_key):
        numbers = range(found.applied + 1, sequence + 1)
        entries = cache.get_many([f"{_SEQUENCE_KEY}:{number}" for number in numbers])
        members = {pk for entry in entries.values() for pk in entry}
        _found, work = _stored(cycle.pk, with_work=True)
        local = work is not None and len(entries) == len(numbers) and _EVERYTHING not in members
        updated = None
        if local and len(members) <= MAX_LOCAL_CHANGES:
            updated = _update(cycle, found, work, members, state=state, applied=sequence)
        if updated is not None:
            found, work = updated
            store(cycle.pk, found, work)
            return found
    # Too large to apply here, or changed in the database without a signal (a bulk update: the safety net).
    _recompute_in_background(cycle)
    newer, _work = _stored(cycle.pk)  # computed in-process by now where tasks run eagerly
    if newer is not None and newer.applied >= sequence and newer.fingerprint == state:
        return newer
    return dataclasses.replace(found, updating=True)


# Any write that can change a cycle's candidates records the members it touched.
@receiver(post_save, sender=Application)
@receiver(post_delete, sender=Application)
def _application_changed(sender, instance, **kwargs):
    record_change([instance.member_id])


@receiver(post_save, sender=Match)
@receiver(post_delete, sender=Match)
def _match_changed(sender, instance, **kwargs):
    record_change([instance.mentor_id, instance.mentee_id])


@receiver(post_save, sender=PairOverride)
@receiver(post_delete, sender=PairOverride)
def _override_changed(sender, instance, **kwargs):
    # Issue 25 §5: a pair allowed again (or no longer) changes her row like a profile edit does.
    record_change([instance.mentor_id, instance.mentee_id])


@receiver(post_save, sender=FitCheck)
def _fit_check_changed(sender, instance, **kwargs):
    # A "no" keeps the pair from being made again (issue 25 §5): her row in any cycle changes.
    if instance.answer == FitCheck.Answer.NO:
        record_change([instance.member_id, instance.match.mentor_id, instance.match.mentee_id])


@receiver(post_save, sender=Profile)
@receiver(post_delete, sender=Profile)
def _profile_changed(sender, instance, **kwargs):
    record_change([instance.user_id])


@receiver(m2m_changed, sender=Application.topics.through)
@receiver(m2m_changed, sender=Profile.expertise.through)
def _topics_changed(sender, instance, action, reverse, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a topic's members changed from the topic's side: anyone may be touched
        invalidate()
    elif isinstance(instance, Application):
        record_change([instance.member_id])
    else:
        record_change([instance.user_id])
