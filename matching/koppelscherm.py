"""The Koppelscherm's read models: what the matching screen and the proposal review page show, without HTTP.

A page reads its 50 mentees, takes their best mentors from the cycle's cached candidate set
(``suggestions``) and explains them with ``scoring.explain`` on today's data, so a stale
suggestion drops out. The mentors left out of a mentee's list for an organisation are named as the set
keeps them (`suggestions.LeftOut`), not read again. The admin views parse the request, call these and
render the result.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from . import scoring, selectors, suggestions
from .models import Cycle, MatchingProposal

SUGGESTIONS_PER_MENTEE = 3
# The Koppelscherm shows this many mentees a page (issue 17: under a second, under 300 KB).
MENTEES_PER_PAGE = 50


def _left_out(candidates: suggestions.CandidateSet, ids, by_id: dict, mentee) -> list[dict]:
    """Her mentors left out for an organisation, named as the candidate set keeps them (`LeftOut`: they had a
    free place when it was brought up to date), and why, by today's rule on her own candidate.

    The page does not read these mentors again (most of a page's mentors are here, in a folded list);
    one the set does not name (a set stored before it kept names) was read with the others.
    """
    if mentee is None:
        return []
    named = getattr(candidates, "left_out", {})
    found = []
    for pk in ids:
        if pk in named:
            mentor = suggestions.LeftOut(*named[pk])
        elif pk in by_id and by_id[pk].free_places > 0:
            mentor = by_id[pk]
        else:
            continue
        if reason := scoring.organisation_conflict(mentor, mentee):
            found.append({"mentor": mentor, "reason": reason})
    return found


def her_choices(mentee, by_id: dict) -> list[dict]:
    """Her ranked mentors for the coordinators (issue 25 §2): rank and the mentor (None once withdrawn)."""
    if mentee is None:
        return []
    return [{"rank": rank, "mentor": by_id.get(pk)} for rank, pk in enumerate(mentee.choices, start=1)]


def honoured_choices(*, proposal: MatchingProposal) -> dict:
    """How many mentees ranked mentors, and how many of them the proposal gives one of them (the first)."""
    ranked = selectors.choices_by_mentee(application_ids=[int(pk) for pk in proposal.choices])
    chosen = {int(pk): mentor_id for pk, (mentor_id, include) in proposal.choices.items() if include}
    return {
        "ranked": len(ranked),
        "honoured": sum(1 for pk, ids in ranked.items() if chosen.get(pk) in ids),
        "first": sum(1 for pk, ids in ranked.items() if chosen.get(pk) == ids[0]),
    }


@dataclass
class MatchingPage:
    """One page of the Koppelscherm: a row per mentee, the cycle's counts, the topics to filter on."""

    rows: list[dict]
    page: Page
    candidates: suggestions.CandidateSet
    # (topic id, name), by name: the topics of the page's people, to filter on.
    topics: list[tuple[int, str]]


def matching_page(
    *, cycle: Cycle, topic: int | None = None, region: str = "", unmatched_only: bool = True, page_number=None
) -> MatchingPage:
    """A page of mentees with their best suggestions and reasons, filtered by topic and region.

    Each row: the application, her candidate (None when she can no longer be matched), whether
    she is eligible, matched, back to be matched again (her pair ended early), her top
    suggestions that still pass the hard rules, and the mentors left out for an organisation.
    """
    candidates = suggestions.candidate_set(cycle)
    mentees = selectors.cycle_mentees(cycle=cycle, topic=topic, region=region, unmatched_only=unmatched_only)
    page = Paginator(mentees, MENTEES_PER_PAGE).get_page(page_number)
    shown = {
        application.pk: candidates.suggestions.get(application.pk, [])[:SUGGESTIONS_PER_MENTEE]
        for application in page.object_list
    }
    # Mentors left out for an organisation (conflict of interest), kept with the candidate set.
    not_offered = {pk: candidates.not_offered.get(pk, []) for pk in shown}
    named = getattr(candidates, "left_out", {})
    ranked = selectors.choices_by_mentee(application_ids=list(shown))
    wanted = (
        set(shown)
        | {mentor_id for best in shown.values() for mentor_id, _score in best}
        | {mentor_id for ids in not_offered.values() for mentor_id in ids if mentor_id not in named}
        | {mentor_id for ids in ranked.values() for mentor_id in ids}
    )
    mentors, page_mentees, topic_names = selectors.cycle_candidates(
        cycle=cycle,
        application_ids=wanted,
        # Only a mentee with an earlier pair that did not work out has former mentors to leave out.
        with_former_mentors=any(application.has_pair_history for application in page.object_list),
        choices=ranked,
    )
    # Issue 25 §5: pairs a coordinator allowed again despite an earlier pair, with her reason.
    with_override = [application.member_id for application in page.object_list if application.has_override]
    overrides = selectors.pair_overrides_for(mentee_ids=with_override) if with_override else {}
    by_id = {candidate.application_id: candidate for candidate in mentors + page_mentees}
    rows = []
    for application in page.object_list:
        mentee = by_id.get(application.pk)
        found = [scoring.explain(by_id[mentor_id], mentee, topic_names) for mentor_id, _ in shown[application.pk]]
        rows.append(
            {
                "application": application,
                "mentee": mentee,
                "eligible": mentee.eligible if mentee else False,
                "matched": application.is_matched,
                # Issue 15 §3: her pair ended early; she is back here to be matched again.
                "rematch": application.is_rematch and not application.was_declined,
                # Issue 25 §3: a mentor declined her (she does not know): at the top, to be matched again.
                "declined": application.was_declined,
                "awaiting_mentor": application.waits_for_mentor,
                "overrides": overrides.get(application.member_id, []),
                # explain() checks the hard rules again on today's data: a stale suggestion drops out.
                "suggestions": [suggestion for suggestion in found if suggestion],
                # Her own ranking (issue 25 §2); the suggestions' reasons say which of them is one.
                "choices": her_choices(mentee, by_id),
                "not_offered": _left_out(candidates, not_offered[application.pk], by_id, mentee),
            }
        )
    return MatchingPage(
        rows=rows,
        page=page,
        candidates=candidates,
        topics=sorted(topic_names.items(), key=lambda item: item[1]),
    )


def proposal_page(*, cycle: Cycle, proposal: MatchingProposal, page_number=None) -> dict:
    """One page of a stored proposal: each mentee with her chosen mentor, the alternatives and the reasons."""
    candidates = suggestions.candidate_set(cycle)
    mentee_ids = sorted(int(pk) for pk in proposal.choices)
    page = Paginator(mentee_ids, MENTEES_PER_PAGE).get_page(page_number)
    options = {}
    ranked = selectors.choices_by_mentee(application_ids=list(page.object_list))
    for mentee_id in page.object_list:
        chosen, _include = proposal.choices[str(mentee_id)]
        ids = [mentor_id for mentor_id, _score in candidates.suggestions.get(mentee_id, [])]
        # Her chosen mentor and her own ranking (issue 25 §2) are always among the options.
        for mentor_id in ([chosen] if chosen is not None else []) + list(ranked.get(mentee_id, ())):
            if mentor_id not in ids:
                ids.append(mentor_id)
        options[mentee_id] = ids
    not_offered = {pk: candidates.not_offered.get(pk, []) for pk in page.object_list}
    named = getattr(candidates, "left_out", {})
    wanted = (
        set(page.object_list)
        | {pk for ids in options.values() for pk in ids}
        | {pk for ids in not_offered.values() for pk in ids if pk not in named}
    )
    mentors, mentees, topic_names = selectors.cycle_candidates(cycle=cycle, application_ids=wanted, choices=ranked)
    by_id = {candidate.application_id: candidate for candidate in mentors + mentees}
    rows = []
    for mentee_id in page.object_list:
        mentee = by_id.get(mentee_id)
        if mentee is None:  # withdrawn since: nothing to confirm for her
            continue
        chosen, include = proposal.choices[str(mentee_id)]
        row_options = []
        for mentor_id in options[mentee_id]:
            if mentor_id in by_id:
                suggestion = scoring.explain(by_id[mentor_id], mentee, topic_names)
                if suggestion or mentor_id == chosen:
                    score = suggestion.score if suggestion else "–"
                    row_options.append({"mentor": by_id[mentor_id], "score": score})
        selected = by_id.get(chosen)
        rows.append(
            {
                "mentee": mentee,
                "options": row_options,
                "selected_id": chosen,
                "include": include,
                "explanation": scoring.explain(selected, mentee, topic_names) if selected else None,
                "choices": her_choices(mentee, by_id),
                "honoured_rank": scoring.choice_bonus(selected, mentee)[0] if selected and include else 0,
                "not_offered": _left_out(candidates, not_offered[mentee_id], by_id, mentee),
            }
        )
    return {"rows": rows, "page": page, "honoured": honoured_choices(proposal=proposal)}
