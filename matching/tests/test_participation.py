"""Her pages read all her pairs once (`Participation.pairs`) and answer from that list what the annotated
querysets answer (issue 24): the same states, pairs, questions and partners, whatever her history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import MemberFactory
from matching import selectors
from matching.models import Application, Cycle, Match
from matching.tests.factories import ActiveMatchFactory, ApplicationFactory, CycleFactory, MentorApplicationFactory

pytestmark = pytest.mark.django_db


def _cycle(days_ago: int, status, *, matching_closed=False) -> Cycle:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=days_ago)
    return CycleFactory(
        applications_open=start - datetime.timedelta(days=60),
        applications_close=start - datetime.timedelta(days=30),
        planned_start=start,
        status=status,
        matching_closed_at=timezone.now() if matching_closed else None,
    )


def _pair(cycle, mentor_application, mentee_application, status, **fields) -> Match:
    match = ActiveMatchFactory(
        cycle=cycle,
        mentor=mentor_application.member,
        mentee=mentee_application.member,
        mentor_application=mentor_application,
        mentee_application=mentee_application,
        start_date=cycle.planned_start,
        confirmed_at=timezone.now() if status not in (Match.Status.PROPOSED,) else None,
        **fields,
    )
    Match.objects.filter(pk=match.pk).update(status=status)
    return match


def _history():
    """A member who is mentor and mentee across four cycles, with every kind of pair; returns everyone."""
    hub = MemberFactory()
    others = [MemberFactory() for _ in range(9)]
    finished = _cycle(500, Cycle.Status.CLOSED, matching_closed=True)
    running = _cycle(30, Cycle.Status.RUNNING, matching_closed=True)
    matching = _cycle(-20, Cycle.Status.MATCHING)
    not_matched = _cycle(200, Cycle.Status.RUNNING, matching_closed=True)
    open_cycle = CycleFactory()

    # Finished year: as mentor completed (and renewed), ended early, declined; as mentee completed.
    as_mentor = MentorApplicationFactory(cycle=finished, member=hub, capacity=3)
    completed = _pair(finished, as_mentor, ApplicationFactory(cycle=finished, member=others[0]), Match.Status.COMPLETED)
    renewed = _pair(
        finished, as_mentor, completed.mentee_application, Match.Status.ACTIVE, term=2, previous_term=completed
    )
    _pair(finished, as_mentor, ApplicationFactory(cycle=finished, member=others[1]), Match.Status.ENDED_EARLY)
    _pair(finished, as_mentor, ApplicationFactory(cycle=finished, member=others[2]), Match.Status.DECLINED)
    as_mentee = ApplicationFactory(cycle=finished, member=hub)
    _pair(finished, MentorApplicationFactory(cycle=finished, member=others[3]), as_mentee, Match.Status.COMPLETED)

    # Running year: as mentor one active and one awaiting her yes; as mentee awaiting her mentor's yes.
    as_mentor = MentorApplicationFactory(cycle=running, member=hub, capacity=3)
    _pair(running, as_mentor, ApplicationFactory(cycle=running, member=others[4]), Match.Status.ACTIVE)
    _pair(
        running,
        as_mentor,
        ApplicationFactory(cycle=running, member=others[5]),
        Match.Status.AWAITING_MENTOR,
        mentor_answer_due=timezone.localdate() + datetime.timedelta(days=5),
    )
    _pair(
        running,
        MentorApplicationFactory(cycle=running, member=others[6]),
        ApplicationFactory(cycle=running, member=hub),
        Match.Status.AWAITING_MENTOR,
        mentor_answer_due=timezone.localdate() + datetime.timedelta(days=3),
    )
    # Being matched: a proposal as mentee, a confirmed pair as mentor.
    _pair(
        matching,
        MentorApplicationFactory(cycle=matching, member=others[7]),
        ApplicationFactory(cycle=matching, member=hub),
        Match.Status.PROPOSED,
    )
    _pair(
        matching,
        MentorApplicationFactory(cycle=matching, member=hub, capacity=1),
        ApplicationFactory(cycle=matching, member=others[8]),
        Match.Status.CONFIRMED,
    )
    # Not matched: one application without a pair, one whose pair ended early (she had one).
    ApplicationFactory(cycle=not_matched, member=hub)
    had = MentorApplicationFactory(cycle=not_matched, member=hub)
    _pair(not_matched, had, ApplicationFactory(cycle=not_matched, member=others[1]), Match.Status.ENDED_EARLY)
    # Open: applied as mentee, withdrew as mentor; a later cycle open too, where she could take an application.
    ApplicationFactory(cycle=open_cycle, member=hub)
    CycleFactory(planned_start=open_cycle.planned_start + datetime.timedelta(days=30))
    MentorApplicationFactory(cycle=open_cycle, member=hub, status=Application.Status.WITHDRAWN)
    assert renewed.previous_term_id == completed.pk
    return [hub, *others]


def _annotated(user):
    """The answers of the annotated querysets (`applications_for_user`, `matches_for_user`, …)."""
    applications = list(selectors.applications_for_user(user=user))
    return {
        "applications": [
            (
                a.pk,
                a.live_match_count,
                a.has_completed_pair,
                selectors.had_a_pair_in_cycle(application=a),
                selectors.application_state(application=a),
                selectors.ongoing_partners_of(application=a),
            )
            for a in applications
        ],
        "matches": [(m.pk, selectors.pair_state(match=m)) for m in selectors.matches_for_user(user=user)],
        "questions": [m.pk for m in selectors.questions_for_mentor(user=user)],
        "carry_to": selectors.carry_over_targets(
            applications=applications, candidates=applications, open_cycles=list(selectors.open_cycles())
        ),
    }


def _from_her_pairs(user):
    participation = selectors.Participation(user)
    return {
        "applications": [
            (
                a.pk,
                a.live_match_count,
                a.has_completed_pair,
                a.had_a_pair_in_cycle,
                selectors.application_state(application=a),
                selectors.ongoing_partners_of(application=a, pairs=participation.pairs),
            )
            for a in participation.applications
        ],
        "matches": [(m.pk, selectors.pair_state(match=m)) for m in participation.matches],
        "questions": [m.pk for m in participation.mentor_questions],
        "carry_to": selectors.carry_over_targets(
            applications=participation.applications,
            candidates=participation.applications,
            open_cycles=participation.open_cycles,
            pairs=participation.pairs,
        ),
    }


def test_her_pairs_give_the_answers_of_the_annotated_queries_whatever_her_history():
    people = _history()
    for user in people:
        assert _from_her_pairs(user) == _annotated(user), user
    hub = _from_her_pairs(people[0])
    states = {row[4] for row in hub["applications"]}
    assert {"completed", "matched", "partly_matched", "not_matched", "submitted", "withdrawn"} <= states
    assert {"renewed", "ended_early", "active", "confirmed", "completed"} <= {state for _pk, state in hub["matches"]}
    assert len(hub["questions"]) == 1
    assert len({cycle for cycle in hub["carry_to"].values() if cycle}) == 1  # her waiting one, to the later cycle
    # The mentee of the pair awaiting her mentor's yes does not know of it; the mentor does.
    waiting = Match.objects.get(status=Match.Status.AWAITING_MENTOR, mentee=people[0])
    assert waiting.pk not in {pk for pk, _state in hub["matches"]}
    assert _from_her_pairs(waiting.mentor)["questions"] == [waiting.pk]


def test_her_pairs_and_applications_are_two_queries_and_nothing_per_row():
    hub = _history()[0]
    participation = selectors.Participation(hub)
    with CaptureQueriesContext(connection) as queries:
        answers = [selectors.application_state(application=a) for a in participation.applications]
        [selectors.pair_state(match=m) for m in participation.matches]
        participation.mentor_questions  # noqa: B018
        [selectors.ongoing_partners_of(application=a, pairs=participation.pairs) for a in participation.applications]
        selectors.carry_over_targets(
            applications=participation.applications,
            candidates=participation.applications,
            open_cycles=[],
            pairs=participation.pairs,
        )
    assert len(queries) == 2
    assert len(answers) == 10


def test_an_anonymous_visitor_has_no_pairs():
    from django.contrib.auth.models import AnonymousUser

    participation = selectors.Participation(AnonymousUser())
    assert participation.pairs == participation.matches == participation.applications == []
