"""The Koppelscherm's candidate set: every open mentee's best mentors, computed once per change of the cycle.

Scoring a whole cycle (4,000 applications) takes seconds; a page of 50 mentees must not. So
the best SUGGESTIONS_KEPT mentors of every mentee are computed in one vectorised pass
(`scoring.score_table` with numpy) and kept in the cache under a key that names the cycle's
state: a version bumped by every save or delete of an application, a match or a profile
(signals below), plus a fingerprint of the cycle's applications and matches read from the
database (so a change that bypasses signals, such as a bulk update, still invalidates it).
A page then reads its 50 mentees and explains their top suggestions.
"""

from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from accounts.models import Profile

from . import scoring, selectors
from .models import Application, Cycle, Match

SUGGESTIONS_KEPT = 10
CACHE_SECONDS = 24 * 60 * 60
_VERSION_KEY = "matching:candidates:version"


@dataclass
class CandidateSet:
    """What the Koppelscherm and the proposal need to know about a cycle, without the score matrix."""

    fingerprint: str
    # mentee application id -> [(mentor application id, score)], best first (allowed pairs only).
    suggestions: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # mentee application id -> mentor application ids with a free place left out for an organisation
    # (same organisation group, or one she named): the Koppelscherm says so (conflict of interest).
    not_offered: dict[int, list[int]] = field(default_factory=dict)
    matched_mentees: int = 0
    open_mentees: int = 0
    mentors: int = 0
    mentors_with_places: int = 0
    free_places: int = 0


def invalidate() -> None:
    """Forget every cycle's candidate set (a bumped version makes all keys new)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, None)


def _version() -> int:
    return cache.get_or_set(_VERSION_KEY, 1, None)


def fingerprint(cycle: Cycle) -> str:
    """The cache key's part for this cycle: its state plus the version every relevant save bumps."""
    return f"{_version()}-{selectors.cycle_state(cycle)}"


def compute(cycle: Cycle, state: str) -> CandidateSet:
    mentors, mentees, _topic_names = selectors.cycle_candidates(cycle=cycle)
    result = CandidateSet(
        fingerprint=state,
        matched_mentees=sum(1 for mentee in mentees if mentee.has_live_match),
        mentors=len(mentors),
        mentors_with_places=sum(1 for mentor in mentors if mentor.eligible and mentor.free_places > 0),
        free_places=sum(mentor.free_places for mentor in mentors if mentor.eligible),
    )
    result.open_mentees = len(mentees) - result.matched_mentees
    if not mentors or not mentees:
        return result
    by_organisation: dict[str, list[int]] = {}
    for mentor in mentors:
        if mentor.organisation and mentor.free_places > 0:
            by_organisation.setdefault(mentor.organisation, []).append(mentor.application_id)
    for mentee in mentees:
        keys = set(mentee.avoids)
        if mentee.organisation and not mentee.allow_same_organisation:
            keys.add(mentee.organisation)
        left_out = [pk for key in keys for pk in by_organisation.get(key, [])]
        if left_out:
            result.not_offered[mentee.application_id] = left_out
    table = scoring.score_table(mentors, mentees)
    keep = min(SUGGESTIONS_KEPT, len(mentors))
    masked = np.where(table.allowed, table.scores, np.iinfo(np.int64).min)
    top = np.argpartition(-masked, keep - 1, axis=1)[:, :keep]
    top_scores = np.take_along_axis(masked, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    mentor_ids = [mentor.application_id for mentor in mentors]
    for row, mentee in enumerate(mentees):
        result.suggestions[mentee.application_id] = [
            (mentor_ids[column], int(table.scores[row, column])) for column in top[row] if table.allowed[row, column]
        ]
    return result


def candidate_set(cycle: Cycle) -> CandidateSet:
    """The cycle's candidate set from the cache, computed when the cycle changed since."""
    state = fingerprint(cycle)
    key = f"matching:candidates:{cycle.pk}:{state}"
    found = cache.get(key)
    if found is None:
        found = compute(cycle, state)
        cache.set(key, found, CACHE_SECONDS)
    return found


# Any write that can change a cycle's candidates forgets the sets (the fingerprint is the safety net).
@receiver(post_save, sender=Application)
@receiver(post_delete, sender=Application)
@receiver(post_save, sender=Match)
@receiver(post_delete, sender=Match)
@receiver(post_save, sender=Profile)
@receiver(post_delete, sender=Profile)
def _forget_on_change(sender, **kwargs):
    invalidate()


@receiver(m2m_changed, sender=Application.topics.through)
@receiver(m2m_changed, sender=Profile.expertise.through)
def _forget_on_topics(sender, action, **kwargs):
    if action.startswith("post_"):
        invalidate()
