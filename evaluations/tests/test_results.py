"""R14: coordinators see results only for groups large enough to keep everyone anonymous."""

import datetime
import random

import pytest
from django.core.checks import run_checks
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import selectors, services
from evaluations.models import Question, Response, Role
from evaluations.tests.factories import add_responses, answers_for, invitation_for_new_pair

pytestmark = pytest.mark.django_db


def after_close(evaluation_round):
    return evaluation_round.closes_on + datetime.timedelta(days=1)


def results(evaluation_round):
    # The nightly publication turns the sealed ballots into responses once the round has closed.
    services.rounds_publish_closed(day=after_close(evaluation_round))
    return selectors.round_results(round=evaluation_round, day=after_close(evaluation_round))


def group(evaluation_round, key):
    return next(group for group in results(evaluation_round).groups if group.key == key)


def test_four_responses_are_hidden(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 4)

    mentees = group(evaluation_round, Role.MENTEE)

    assert not mentees.shown
    assert mentees.questions == []


def test_five_responses_are_shown_with_counts_means_and_distributions(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 3, scale=5, choice=2)
    add_responses(evaluation_round, Role.MENTEE, 2, scale=2, choice=4)

    mentees = group(evaluation_round, Role.MENTEE)

    assert mentees.shown
    assert mentees.responses == 5
    scale = next(item for item in mentees.questions if item.question.kind == Question.Kind.SCALE)
    assert scale.mean == 3.8
    assert [bar.count for bar in scale.bars] == [0, 2, 0, 0, 3]
    assert scale.bars[0].label.startswith("1 (")
    single = next(item for item in mentees.questions if item.question.kind == Question.Kind.SINGLE_CHOICE)
    assert [bar.count for bar in single.bars] == [0, 3, 0, 2]
    assert [bar.percent for bar in single.bars] == [0, 60, 0, 40]


def test_open_answers_are_hidden_at_seven_responses(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 7, text="Meer netwerkbijeenkomsten graag.")

    open_items = [item for item in group(evaluation_round, Role.MENTEE).questions if item.is_open]

    assert open_items
    assert not any(item.open_shown or item.open_answers for item in open_items)


def test_open_answers_are_shown_from_eight_responses(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 8, text="Meer netwerkbijeenkomsten graag.")

    open_items = [item for item in group(evaluation_round, Role.MENTEE).questions if item.is_open]

    assert all(item.open_shown for item in open_items)
    assert open_items[0].open_answers == ["Meer netwerkbijeenkomsten graag."] * 8


def test_a_total_of_both_roles_is_not_shown_when_one_role_is_hidden(evaluation_round):
    # Mentees 6 (shown), mentors 2 (hidden): "both" minus "mentees" would give away the two mentors.
    add_responses(evaluation_round, Role.MENTEE, 6, scale=5)
    add_responses(evaluation_round, Role.MENTOR, 2, scale=1)

    outcome = {item.key: item for item in results(evaluation_round).groups}

    assert outcome[Role.MENTEE].shown
    assert not outcome[Role.MENTOR].shown
    assert not outcome["both"].shown
    assert outcome["both"].questions == []


def test_the_total_of_both_roles_is_shown_when_both_are(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 5, scale=5)
    add_responses(evaluation_round, Role.MENTOR, 5, scale=3)

    both = group(evaluation_round, "both")

    assert both.shown
    assert both.responses == 10
    assert next(item for item in both.questions if item.mean is not None).mean == 4.0


def test_open_answers_in_the_total_stay_hidden_while_one_role_is_below_the_open_threshold(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 8, text="mentee")
    add_responses(evaluation_round, Role.MENTOR, 5, text="mentor")

    outcome = {item.key: item for item in results(evaluation_round).groups}

    assert all(item.open_shown for item in outcome[Role.MENTEE].questions if item.is_open)
    assert not any(item.open_shown for item in outcome[Role.MENTOR].questions if item.is_open)
    assert not any(item.open_shown or item.open_answers for item in outcome["both"].questions if item.is_open)


def test_an_optional_question_answered_by_few_is_hidden_in_its_group_and_in_the_total(evaluation_round):
    optional = Question.objects.create(
        round=evaluation_round,
        order=1,
        kind=Question.Kind.SCALE,
        text="Optioneel",
        scale_low="a",
        scale_high="b",
        required=False,
    )
    # Only the last mentor answers it; the others leave it empty.
    for role, answered in [(Role.MENTEE, False)] * 5 + [(Role.MENTOR, False)] * 5 + [(Role.MENTOR, True)]:
        invitation = invitation_for_new_pair(evaluation_round, role)
        answers = answers_for(evaluation_round, role)
        answers[f"q_{optional.pk}"] = "1" if answered else ""
        services.response_submit(invitation=invitation, user=invitation.user, answers=answers)

    outcome = {item.key: item for item in results(evaluation_round).groups}
    for key in (Role.MENTOR, "both"):
        item = next(item for item in outcome[key].questions if item.question == optional)
        assert not item.shown
        assert item.mean is None and item.bars == []


def test_nothing_is_shown_before_the_round_closes_but_the_response_rate_is(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 6)
    invitation_for_new_pair(evaluation_round, Role.MENTOR)

    outcome = selectors.round_results(round=evaluation_round, day=evaluation_round.closes_on)

    assert not outcome.closed
    assert outcome.groups == []
    rates = {rate.label: (rate.invited, rate.submitted) for rate in outcome.rates}
    assert rates == {"mentor": (1, 0), "mentee": (6, 6), "totaal": (7, 6)}


def test_the_minimum_group_size_never_drops_below_three(settings, evaluation_round):
    settings.EVALUATION_MIN_GROUP_SIZE = 1
    settings.EVALUATION_MIN_OPEN_ANSWERS = 1
    add_responses(evaluation_round, Role.MENTEE, 2)

    assert selectors.min_group_size() == 3
    assert not group(evaluation_round, Role.MENTEE).shown
    errors = {error.id for error in run_checks()}
    assert "evaluations.E001" in errors


def test_thresholds_follow_the_settings(settings, evaluation_round):
    settings.EVALUATION_MIN_GROUP_SIZE = 3
    settings.EVALUATION_MIN_OPEN_ANSWERS = 4
    add_responses(evaluation_round, Role.MENTEE, 4)

    mentees = group(evaluation_round, Role.MENTEE)

    assert mentees.shown
    assert any(item.open_shown for item in mentees.questions if item.is_open)


def test_the_csv_has_the_same_thresholds(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 5, text="Open antwoord van een mentee")
    add_responses(evaluation_round, Role.MENTOR, 4, scale=1, text="Open antwoord van een mentor")

    rows = selectors.results_csv_rows(results(evaluation_round))
    text = "\n".join(";".join(row) for row in rows)

    mentee_rows = [row for row in rows if row[1] == "mentee"]
    assert any(row[5] == "gemiddelde" for row in mentee_rows)
    assert "Open antwoord" not in text  # 5 mentees: below the open threshold; mentors hidden
    assert not any(row[5] == "gemiddelde" for row in rows if row[1] == "mentor")
    assert not any(row[5] == "gemiddelde" for row in rows if row[1] == "mentoren en mentees samen")
    assert ["uitgenodigd", "4"] in [row[5:] for row in rows if row[1] == "mentor"]


def test_the_csv_neutralises_spreadsheet_formulas_in_open_answers(evaluation_round):
    add_responses(evaluation_round, Role.MENTEE, 8, text='=HYPERLINK("http://example.org")')

    rows = selectors.results_csv_rows(results(evaluation_round))

    assert not any(cell.startswith("=") for row in rows for cell in row)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_from_the_database_equal_counting_every_response_by_hand(evaluation_round, seed):
    # Results are aggregated in SQL (PostgreSQL in CI, SQLite on a laptop): check them against Python.
    rng = random.Random(seed)
    questions = list(evaluation_round.questions.all())
    responses = []
    for _n in range(rng.randint(10, 40)):
        role = rng.choice([Role.MENTOR, Role.MENTEE])
        answers = {}
        for question in questions:
            if not question.is_asked_of(role) or (not question.required and rng.random() < 0.3):
                continue
            options = len(question.option_list("nl"))
            if question.kind == Question.Kind.SCALE:
                answers[str(question.pk)] = rng.randint(1, 5)
            elif question.kind == Question.Kind.SINGLE_CHOICE:
                answers[str(question.pk)] = rng.randint(1, options)
            elif question.kind == Question.Kind.MULTIPLE_CHOICE:
                answers[str(question.pk)] = sorted(rng.sample(range(1, options + 1), rng.randint(1, options)))
            else:
                answers[str(question.pk)] = f"tekst {rng.randrange(1000)}"
        responses.append(Response(round=evaluation_round, role=role, answers=answers))
    Response.objects.bulk_create(responses)

    outcome = {group.key: group for group in results(evaluation_round).groups}

    for key, group in outcome.items():
        mine = [r for r in responses if key == "both" or r.role == key]
        assert group.responses == len(mine)
        for item in group.questions:
            given = [r.answers[str(item.question.pk)] for r in mine if str(item.question.pk) in r.answers]
            assert item.answered == len(given)
            if item.is_open:
                if item.open_shown:
                    assert sorted(item.open_answers) == sorted(given)
                continue
            if not item.shown:
                continue
            picks = [pick for value in given for pick in (value if isinstance(value, list) else [value])]
            assert [bar.count for bar in item.bars] == [picks.count(n) for n in range(1, len(item.bars) + 1)]
            if item.mean is not None:
                assert item.mean == round(sum(given) / len(given), 1)


def test_counts_only_leaves_out_the_rates_and_never_fetches_an_open_answer(evaluation_round):
    # Issue 27: the coordinators' charts and year report show no open answer, so none is read.
    add_responses(evaluation_round, Role.MENTEE, 8, text="GEHEIM-ANTWOORD")
    services.rounds_publish_closed(day=after_close(evaluation_round))
    day = after_close(evaluation_round)
    with CaptureQueriesContext(connection) as full_queries:
        full = selectors.round_results(round=evaluation_round, day=day)
    with CaptureQueriesContext(connection) as counted_queries:
        counted = selectors.round_results(round=evaluation_round, day=day, counts_only=True)

    # The rates and the open answers: two queries less.
    assert len(counted_queries) == len(full_queries) - 2
    assert counted.rates == []
    mentees = next(group for group in counted.groups if group.key == Role.MENTEE)
    assert "GEHEIM-ANTWOORD" not in repr(counted)
    assert not any(item.open_shown for item in mentees.questions)
    full_mentees = next(group for group in full.groups if group.key == Role.MENTEE)
    assert [item.mean for item in mentees.questions] == [item.mean for item in full_mentees.questions]
    assert any("GEHEIM-ANTWOORD" in item.open_answers for item in full_mentees.questions)
