"""The Koppelscherm at scale: pages of 50, filters, a cached candidate set that follows every change (issue 17)."""

import dataclasses

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Region
from accounts.tests.factories import ExpertiseFactory, MemberFactory, ProfileFactory, UserFactory
from matching import koppelscherm, services, suggestions
from matching.koppelscherm import MENTEES_PER_PAGE
from matching.models import MatchingProposal
from matching.tests.factories import ApplicationFactory, MentorApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _member(region=Region.UTRECHT):
    user = UserFactory()
    ProfileFactory(user=user, verified=True, region=region)
    return user


@pytest.fixture
def big_cycle(cycle):
    """60 mentees (10 from Zeeland with the topic Btw) and 8 mentors: more than a page."""
    btw = ExpertiseFactory(name="Btw")
    mentors = [MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=2) for _ in range(8)]
    for mentor in mentors:
        mentor.topics.set([btw])
    mentees = [ApplicationFactory(cycle=cycle, member=_member()) for _ in range(50)]
    zeeland = [ApplicationFactory(cycle=cycle, member=_member(Region.ZEELAND)) for _ in range(10)]
    for mentee in zeeland:
        mentee.topics.set([btw])
    return {"mentors": mentors, "mentees": mentees, "zeeland": zeeland, "btw": btw}


def _url(cycle, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("admin:matching_cycle_matching", args=[cycle.pk]) + (f"?{query}" if query else "")


def test_a_page_shows_50_mentees_and_the_next_page_the_rest(coordinator_client, cycle, big_cycle):
    first = coordinator_client.get(_url(cycle))
    second = coordinator_client.get(_url(cycle, p=2))

    assert len(first.context["rows"]) == MENTEES_PER_PAGE
    assert len(second.context["rows"]) == 60 - MENTEES_PER_PAGE
    assert "page 1 of 2 (60 mentees)" in first.content.decode() or "pagina 1 van 2" in first.content.decode()
    # Every row has suggestions with reasons, best first.
    for row in first.context["rows"]:
        scores = [suggestion.score for suggestion in row["suggestions"]]
        assert scores and scores == sorted(scores, reverse=True)


def test_filters_by_topic_and_region(coordinator_client, cycle, big_cycle):
    by_region = coordinator_client.get(_url(cycle, regio=Region.ZEELAND))
    by_topic = coordinator_client.get(_url(cycle, onderwerp=big_cycle["btw"].pk))

    zeeland = {application.pk for application in big_cycle["zeeland"]}
    assert {row["application"].pk for row in by_region.context["rows"]} == zeeland
    assert {row["application"].pk for row in by_topic.context["rows"]} == zeeland


def test_the_page_reads_a_bounded_number_of_queries(
    coordinator_client, cycle, big_cycle, django_assert_max_num_queries
):
    coordinator_client.get(_url(cycle))  # the candidate set is computed once
    # Issue 15 adds the "pairs that do not fit" panel (one query); the bound still does not grow with the cycle.
    with django_assert_max_num_queries(17):
        response = coordinator_client.get(_url(cycle))
    assert len(response.context["rows"]) == MENTEES_PER_PAGE


def test_the_candidate_set_is_computed_once_and_forgotten_on_a_match(coordinator_client, cycle, big_cycle, coordinator):
    coordinator_client.get(_url(cycle))
    state = suggestions.fingerprint(cycle)
    assert suggestions.fingerprint(cycle) == state  # nothing changed: the same cached set

    mentee = big_cycle["zeeland"][0]
    best_mentor_id = suggestions.candidate_set(cycle).suggestions[mentee.pk][0][0]
    response = coordinator_client.post(
        reverse("admin:matching_cycle_match", args=[cycle.pk]),
        {"mentor": best_mentor_id, "mentee": mentee.pk, "before_window_closes": "on"},
    )
    assert response.status_code == 302
    assert suggestions.fingerprint(cycle) != state

    after = coordinator_client.get(_url(cycle, regio=Region.ZEELAND))
    assert mentee.pk not in {row["application"].pk for row in after.context["rows"]}
    assert after.context["candidates"].matched_mentees == 1
    # Unticking "without a mentor only" shows her again, marked as matched, without suggestions.
    everyone = coordinator_client.get(_url(cycle, regio=Region.ZEELAND, ongekoppeld=0))
    row = next(row for row in everyone.context["rows"] if row["application"].pk == mentee.pk)
    assert row["matched"]


def test_a_full_mentor_is_no_longer_suggested(coordinator_client, cycle, big_cycle, coordinator):
    mentor = big_cycle["mentors"][0]
    for mentor_other in big_cycle["mentors"][1:]:
        mentor_other.capacity = 1
        mentor_other.save()
    # Fill her two places.
    for mentee in big_cycle["zeeland"][:2]:
        coordinator_client.post(
            reverse("admin:matching_cycle_match", args=[cycle.pk]),
            {"mentor": mentor.pk, "mentee": mentee.pk, "before_window_closes": "on"},
        )
    for best in suggestions.candidate_set(cycle).suggestions.values():
        assert mentor.pk not in {mentor_id for mentor_id, _score in best}


def test_a_profile_change_forgets_the_candidate_set(cycle, big_cycle):
    state = suggestions.fingerprint(cycle)
    profile = big_cycle["mentees"][0].member.profile
    profile.region = Region.LIMBURG
    profile.save()
    assert suggestions.fingerprint(cycle) != state


# --- The read models themselves, without HTTP (matching.koppelscherm) -----------------------


def test_the_matching_page_is_built_without_a_request(cycle, big_cycle):
    first = koppelscherm.matching_page(cycle=cycle)
    second = koppelscherm.matching_page(cycle=cycle, page_number=2)
    zeeland = koppelscherm.matching_page(cycle=cycle, region=Region.ZEELAND)
    by_topic = koppelscherm.matching_page(cycle=cycle, topic=big_cycle["btw"].pk)

    assert len(first.rows) == MENTEES_PER_PAGE
    assert len(second.rows) == 60 - MENTEES_PER_PAGE
    assert {row["application"].pk for row in zeeland.rows} == {mentee.pk for mentee in big_cycle["zeeland"]}
    assert {row["application"].pk for row in by_topic.rows} == {mentee.pk for mentee in big_cycle["zeeland"]}
    assert (big_cycle["btw"].pk, "Btw") in first.topics
    mentor_ids = {mentor.pk for mentor in big_cycle["mentors"]}
    for row in first.rows:
        assert row["eligible"] and not row["matched"] and not row["rematch"]
        assert 0 < len(row["suggestions"]) <= koppelscherm.SUGGESTIONS_PER_MENTEE
        assert {suggestion.mentor.application_id for suggestion in row["suggestions"]} <= mentor_ids
    assert first.candidates.open_mentees == 60


def test_the_matching_page_leaves_a_matched_mentee_out_unless_asked(cycle, big_cycle, coordinator):
    mentee = big_cycle["zeeland"][0]
    services.match_confirm(
        mentor_application=big_cycle["mentors"][0],
        mentee_application=mentee,
        by=coordinator,
        before_window_closes=True,
    )

    unmatched = koppelscherm.matching_page(cycle=cycle, region=Region.ZEELAND)
    everyone = koppelscherm.matching_page(cycle=cycle, region=Region.ZEELAND, unmatched_only=False)

    assert mentee.pk not in {row["application"].pk for row in unmatched.rows}
    row = next(row for row in everyone.rows if row["application"].pk == mentee.pk)
    assert row["matched"]


def test_the_matching_page_names_a_mentor_left_out_for_her_organisation(cycle, big_cycle):
    mentee = big_cycle["zeeland"][0]
    colleague = big_cycle["mentors"][0]
    colleague.member.profile.organisation = mentee.member.profile.organisation
    colleague.member.profile.save()

    screen = koppelscherm.matching_page(cycle=cycle, region=Region.ZEELAND)

    row = next(row for row in screen.rows if row["application"].pk == mentee.pk)
    assert colleague.pk not in {suggestion.mentor.application_id for suggestion in row["suggestions"]}
    assert [(item["mentor"].application_id, item["reason"]) for item in row["not_offered"]] == [
        (colleague.pk, "zelfde organisatiegroep")
    ]


def test_the_matching_page_names_mentors_left_out_without_reading_them_again(cycle, big_cycle, monkeypatch):
    mentee = big_cycle["zeeland"][0]
    # A mentor without the topic and without a common language: nobody's best three.
    colleague = MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=1)
    colleague.member.profile.organisation = mentee.member.profile.organisation
    colleague.member.profile.languages = "Klingon"
    colleague.member.profile.save()
    suggestions.candidate_set(cycle)
    read = []
    original = koppelscherm.selectors.cycle_candidates

    def spy(**kwargs):
        read.extend(kwargs.get("application_ids") or ())
        return original(**kwargs)

    monkeypatch.setattr(koppelscherm.selectors, "cycle_candidates", spy)

    screen = koppelscherm.matching_page(cycle=cycle, region=Region.ZEELAND)

    row = next(row for row in screen.rows if row["application"].pk == mentee.pk)
    assert [(item["mentor"].name, item["mentor"].organisation_name) for item in row["not_offered"]] == [
        (str(colleague.member), mentee.member.profile.organisation)
    ]
    # Read again: her mentees and their suggested mentors, not the mentors left out (named as the set keeps them).
    shown = {row["application"].pk for row in screen.rows}
    suggested = {
        mentor_id
        for pk in shown
        for mentor_id, _score in screen.candidates.suggestions[pk][: koppelscherm.SUGGESTIONS_PER_MENTEE]
    }
    assert set(read) == shown | suggested
    assert colleague.pk not in read


def test_the_proposal_page_shows_the_chosen_mentor_even_when_no_longer_a_suggestion(cycle, big_cycle):
    mentee, other = big_cycle["zeeland"][:2]
    best = suggestions.candidate_set(cycle).suggestions[mentee.pk]
    outsider = MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=1)
    proposal = MatchingProposal.objects.create(
        cycle=cycle,
        status=MatchingProposal.Status.READY,
        choices={str(mentee.pk): [best[0][0], True], str(other.pk): [outsider.pk, False]},
    )

    result = koppelscherm.proposal_page(cycle=cycle, proposal=proposal)

    rows = {row["mentee"].application_id: row for row in result["rows"]}
    assert rows[mentee.pk]["selected_id"] == best[0][0] and rows[mentee.pk]["include"]
    assert rows[mentee.pk]["explanation"].mentor.application_id == best[0][0]
    assert rows[other.pk]["selected_id"] == outsider.pk and not rows[other.pk]["include"]
    assert outsider.pk in {option["mentor"].application_id for option in rows[other.pk]["options"]}


# --- Issue 24: after a change the set is brought up to date in place, never recomputed in the request ----


REGIONS = [Region.UTRECHT, Region.ZEELAND, Region.LIMBURG]


@pytest.fixture
def wide_cycle(cycle):
    """14 mentors (more than SUGGESTIONS_KEPT, so the tenth place matters) and 30 mentees, with varied profiles."""
    topics = [ExpertiseFactory(name=f"Onderwerp {number}") for number in range(4)]
    mentors = []
    for number in range(14):
        mentor = MentorApplicationFactory(cycle=cycle, member=MemberFactory(), capacity=1 + number % 2)
        profile = mentor.member.profile
        profile.region = REGIONS[number % 3]
        profile.career_start_year = 1995 + number
        profile.save()
        mentor.topics.set(topics[number % 4 : number % 4 + 2])
        mentors.append(mentor)
    mentees = []
    for number in range(30):
        mentee = ApplicationFactory(cycle=cycle, member=_member(REGIONS[number % 3]))
        mentee.topics.set([topics[number % 4]])
        mentees.append(mentee)
    return {"mentors": mentors, "mentees": mentees, "topics": topics}


@pytest.fixture
def full_computations(monkeypatch):
    """Counts every full computation of a cycle's candidate set."""
    calls = []
    original = suggestions.compute

    def spy(*args, **kwargs):
        calls.append(args[0].pk)
        return original(*args, **kwargs)

    monkeypatch.setattr(suggestions, "compute", spy)
    return calls


def _assert_equals_a_full_computation(cycle):
    kept = suggestions.candidate_set(cycle)
    full, _work = suggestions.compute(cycle, "")
    assert kept.suggestions == full.suggestions
    assert kept.not_offered == full.not_offered
    assert kept.left_out == full.left_out
    for name in ("matched_mentees", "open_mentees", "mentors", "mentors_with_places", "free_places"):
        assert getattr(kept, name) == getattr(full, name), name
    return kept


def test_after_a_confirmed_pair_the_page_is_up_to_date_without_recomputing_the_cycle(
    coordinator_client, cycle, wide_cycle, full_computations
):
    coordinator_client.get(_url(cycle))  # the first read computes the set (in the background job)
    assert len(full_computations) == 1
    mentee = wide_cycle["mentees"][0]
    best_mentor_id = suggestions.candidate_set(cycle).suggestions[mentee.pk][0][0]
    full_computations.clear()

    response = coordinator_client.post(
        reverse("admin:matching_cycle_match", args=[cycle.pk]),
        {"mentor": best_mentor_id, "mentee": mentee.pk, "before_window_closes": "on"},
    )
    assert response.status_code == 302
    page = coordinator_client.get(_url(cycle, ongekoppeld=0))

    assert full_computations == []
    assert not page.context["candidates"].updating
    kept = _assert_equals_a_full_computation(cycle)
    assert kept.suggestions[mentee.pk] == []
    assert kept.matched_mentees == 1


def test_a_full_mentor_drops_out_of_every_list_and_the_next_best_moves_up(
    cycle, wide_cycle, coordinator, full_computations
):
    suggestions.candidate_set(cycle)
    single = next(mentor for mentor in wide_cycle["mentors"] if mentor.capacity == 1)
    mentee = next(
        mentee
        for mentee in wide_cycle["mentees"]
        if single.pk in {pk for pk, _score in suggestions.candidate_set(cycle).suggestions[mentee.pk]}
    )
    full_computations.clear()

    services.match_confirm(
        mentor_application=single, mentee_application=mentee, by=coordinator, before_window_closes=True
    )

    assert full_computations == []
    kept = _assert_equals_a_full_computation(cycle)
    for best in kept.suggestions.values():
        assert single.pk not in {pk for pk, _score in best}
    assert all(len(best) == suggestions.SUGGESTIONS_KEPT for pk, best in kept.suggestions.items() if pk != mentee.pk)


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_after_a_profile_save_the_page_is_up_to_date_without_recomputing_the_cycle(
    coordinator_client, cycle, wide_cycle, full_computations, side
):
    coordinator_client.get(_url(cycle))
    full_computations.clear()
    application = wide_cycle["mentors"][3] if side == "mentor" else wide_cycle["mentees"][4]
    profile = application.member.profile
    profile.region = Region.FRIESLAND
    profile.career_start_year = 1980 if side == "mentor" else 2020
    profile.save()
    application.topics.set(wide_cycle["topics"])

    page = coordinator_client.get(_url(cycle))

    assert full_computations == []
    assert not page.context["candidates"].updating
    _assert_equals_a_full_computation(cycle)


def _forget_this_process():
    """As if the next request ran in another worker: only what the cache holds."""
    suggestions._in_process.clear()
    suggestions._bases.clear()


@pytest.mark.parametrize("another_worker", [False, True])
def test_changes_in_a_row_keep_the_set_and_its_work_equal_to_a_full_computation(
    cycle, wide_cycle, full_computations, another_worker
):
    suggestions.candidate_set(cycle)
    full_computations.clear()
    mentees, mentors = wide_cycle["mentees"], wide_cycle["mentors"]
    changes = [
        (mentors[1], {"region": Region.FRIESLAND}),
        # She now works where a mentor works: that mentor is left out of her list.
        (mentees[2], {"organisation": mentors[5].member.profile.organisation}),
        (mentors[6], {"career_start_year": 1960}),
        # A mentor moves to a mentee's organisation: every list of mentors left out is worked out again.
        (mentors[8], {"organisation": mentees[9].member.profile.organisation}),
        (mentees[11], {"career_start_year": 2022, "region": Region.LIMBURG}),
    ]
    for application, fields in changes:
        profile = application.member.profile
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
        if another_worker:
            _forget_this_process()
        assert not suggestions.candidate_set(cycle).updating

    assert full_computations == []
    kept = _assert_equals_a_full_computation(cycle)
    assert mentors[5].pk in kept.not_offered[mentees[2].pk]
    assert mentors[8].pk in kept.not_offered[mentees[9].pk]
    # Only the set was stored after each change; the work it was computed on is the whole one stored
    # first with the changed candidates on top, and equals the cycle's candidates today.
    assert set(kept.changed) == {application.pk for application, _fields in changes}
    if another_worker:
        _forget_this_process()
    _found, work = suggestions._stored(cycle.pk, with_work=True)
    _full, full_work = suggestions.compute(cycle, "")
    assert (work.mentors, work.mentees) == (full_work.mentors, full_work.mentees)


def test_after_many_changes_the_work_is_stored_whole_again(cycle, wide_cycle, monkeypatch):
    suggestions.candidate_set(cycle)
    _set_key, work_key, _updating = suggestions._keys(cycle.pk)
    first = cache.get(work_key)
    monkeypatch.setattr(suggestions, "REBASE_AFTER", 1)
    for mentor in wide_cycle["mentors"][:2]:
        profile = mentor.member.profile
        profile.career_start_year = 1950
        profile.save()
        kept = suggestions.candidate_set(cycle)

    assert kept.changed == {} and kept.work_base != first.base
    assert cache.get(work_key).base == kept.work_base
    _forget_this_process()
    _found, work = suggestions._stored(cycle.pk, with_work=True)
    assert [c.years for c in work.mentors[:2]] == [c.years for c in suggestions.compute(cycle, "")[1].mentors[:2]]


def test_a_change_too_large_is_computed_in_the_background_while_the_page_shows_the_last_set(
    coordinator_client, cycle, wide_cycle, full_computations, monkeypatch
):
    coordinator_client.get(_url(cycle))
    before = suggestions.candidate_set(cycle)
    full_computations.clear()
    started = []
    monkeypatch.setattr(suggestions, "_start_background_job", started.append)  # the worker has not run yet
    suggestions.invalidate()  # an import, a bulk edit

    page = coordinator_client.get(_url(cycle))

    assert full_computations == []
    assert started == [cycle.pk]
    assert page.context["candidates"].updating
    assert page.context["candidates"].suggestions == before.suggestions
    assert "wordt bijgewerkt" in page.content.decode().lower()
    # The job (the worker) brings the set up to date; the page no longer says it is being updated.
    suggestions.compute_and_store(cycle)
    assert not coordinator_client.get(_url(cycle)).context["candidates"].updating


def test_the_first_page_after_a_profile_save_reads_a_bounded_number_of_queries(
    coordinator_client, cycle, wide_cycle, full_computations, django_assert_max_num_queries
):
    coordinator_client.get(_url(cycle))
    full_computations.clear()
    profile = wide_cycle["mentors"][2].member.profile
    profile.career_start_year = 1970
    profile.save()

    # The page's own queries plus the changed member's application and candidate (issue 24): the same
    # however many members the cycle has, and no full computation.
    with django_assert_max_num_queries(24):
        page = coordinator_client.get(_url(cycle))

    assert full_computations == []
    assert not page.context["candidates"].updating


def test_a_worker_reads_the_stored_set_again_only_when_another_stored_a_newer_one(cycle, wide_cycle):
    kept = suggestions.candidate_set(cycle)
    set_key, work_key, _updating = suggestions._keys(cycle.pk)
    work = cache.get(work_key)
    elsewhere = dataclasses.replace(kept, suggestions={}, open_mentees=kept.open_mentees + 1)

    # The same version in the cache: this process uses the set it keeps, without unpickling it again.
    cache.set(set_key, elsewhere)
    assert suggestions.candidate_set(cycle) is kept

    # Another worker stored a newer set (a new version): this process reads it.
    cache.set_many({set_key: elsewhere, work_key: work, suggestions._version_key(cycle.pk): "another worker"})
    assert suggestions.candidate_set(cycle).open_mentees == kept.open_mentees + 1


@pytest.mark.parametrize("large_job", [1, 10_000])
def test_the_background_computation_of_a_large_cycle_leaves_no_garbage_behind(
    cycle, wide_cycle, monkeypatch, large_job
):
    from matching import tasks

    collected = []
    monkeypatch.setattr(tasks.gc, "collect", lambda: collected.append(True))
    monkeypatch.setattr(tasks, "LARGE_JOB", large_job)

    assert tasks.candidate_set_compute(cycle.pk) == 30

    # 14 mentors and 30 mentees: collected when that counts as large, not for a small cycle.
    assert collected == ([True] if large_job == 1 else [])
