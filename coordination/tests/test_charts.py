"""Charts on the cockpit (issue 27 §1): SVG that parses with a title, a text alternative beside each,
and a suppressed figure never in the picture."""

import base64
import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory
from coordination import charts
from coordination import report as year_report
from coordination.suppression import TOO_FEW
from coordination.tests.test_report import _cycle_with_4_renewals_and_1_early_end
from matching.models import Cycle
from meetings.tests.factories import HeldMeetingFactory

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f".//{SVG}title") is not None and root.find(f".//{SVG}title").text
    assert root.find(f".//{SVG}script") is None
    return root


def _values(root: ET.Element) -> list[str]:
    """The numbers printed on the bars."""
    return [text.text for text in root.iter(f"{SVG}text") if "value" in (text.get("class") or "").split()]


def _charts(client, cycle):
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("coordination") + f"?cyclus={cycle.pk}")
    assert response.status_code == 200
    return response, {chart.key: chart for chart in response.context["charts"]}


def test_each_chart_is_svg_with_a_title_embedded_as_an_image_with_its_text_alternative(client):
    cycle = _cycle_with_4_renewals_and_1_early_end()
    response, by_key = _charts(client, cycle)
    page = response.content.decode()

    assert set(by_key) == {"funnel", "pairs", "meetings", "evaluation"}
    for chart in by_key.values():
        _parse(chart.svg)
        # Embedded as a data: image (the CSP allows img-src data:, not an inline <style>), alt = a sentence.
        assert f'src="{chart.data_uri}"' in page
        assert base64.b64decode(chart.data_uri.split(",", 1)[1]).decode() == chart.svg
        assert chart.summary.startswith(chart.title) and chart.summary.endswith(".")
        assert re.search(r'alt="' + re.escape(chart.title), page)
        # The table beside it holds every row.
        assert f'aria-label="Tabel: {chart.title}"' in page or f'aria-label="Table: {chart.title}"' in page
        for row in chart.rows:
            assert row.label in page


def test_a_suppressed_figure_reads_too_few_in_the_table_and_never_appears_in_the_chart(client):
    cycle = _cycle_with_4_renewals_and_1_early_end()
    _response, by_key = _charts(client, cycle)
    funnel = by_key["funnel"]
    year = year_report.build(cycle=cycle, evaluations=False)
    renewed = next(line for line in year.sections[0][1] if line.key == "renewed")
    assert renewed.values[year_report.CURRENT] == 4 and not renewed.shown[year_report.CURRENT]

    label = renewed.label[:1].upper() + renewed.label[1:]
    assert next(row for row in funnel.rows if row.label == label).value == str(TOO_FEW)
    assert label not in funnel.svg
    assert "4" not in _values(_parse(funnel.svg))
    assert str(TOO_FEW) in funnel.summary or "te klein" in funnel.summary or "too small" in funnel.summary

    # Pairs by state: 7 active, 4 completed, 1 ended early: the 4 and the 1 are too few.
    pairs = {row.label: row.value for row in by_key["pairs"].rows}
    assert list(pairs.values()).count(str(TOO_FEW)) >= 2
    values = _values(_parse(by_key["pairs"].svg))
    assert "4" not in values and "1" not in values
    assert "7" in values


def test_a_month_with_fewer_than_5_meetings_is_left_out_of_the_meetings_chart():
    today = timezone.localdate()
    cycle = _cycle_with_4_renewals_and_1_early_end()
    match = cycle.matches.first()
    this_month = timezone.make_aware(datetime.datetime(today.year, today.month, 1, 12))
    earlier = this_month - datetime.timedelta(days=40)
    for _ in range(6):
        HeldMeetingFactory(match=match, starts_at=earlier)
    for _ in range(3):
        HeldMeetingFactory(match=match, starts_at=earlier - datetime.timedelta(days=40))

    chart = charts.meetings_per_month_chart(cycle)

    assert [row.value for row in chart.rows] == [str(TOO_FEW), "6"]
    values = _values(_parse(chart.svg))
    assert values == ["6"]


def test_no_cycle_no_charts(client):
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("coordination"))
    assert response.context["charts"] == []
    assert Cycle.objects.count() == 0


# --- Evaluation results per question per role (issue 27 §1) ---------------------------------------------


def closed_year_evaluation(cycle, *, mentees: int, mentors: int):
    """The cycle's final evaluation, closed yesterday and published: mentees answered every scale
    question with 4, mentors with 2, and everyone wrote a secret in the open question."""
    from evaluations import services as evaluation_services  # noqa: PLC0415
    from evaluations.models import EvaluationRound, Role  # noqa: PLC0415
    from evaluations.tests.factories import EvaluationRoundFactory, add_responses  # noqa: PLC0415

    evaluation_round = EvaluationRoundFactory(cycle=cycle, kind=EvaluationRound.Kind.FINAL, name="Eindevaluatie")
    evaluation_services.round_add_default_questions(round=evaluation_round)
    add_responses(evaluation_round, Role.MENTEE, mentees, scale=4, text="GEHEIM-OPEN-ANTWOORD")
    add_responses(evaluation_round, Role.MENTOR, mentors, scale=2, text="GEHEIM-OPEN-ANTWOORD")
    today = timezone.localdate()
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(
        opens_on=today - datetime.timedelta(days=20), closes_on=today - datetime.timedelta(days=1)
    )
    evaluation_services.rounds_publish_closed(day=today)
    return evaluation_round


def test_the_evaluation_chart_shows_each_question_per_role_and_leaves_a_role_of_4_out(client):
    cycle = _cycle_with_4_renewals_and_1_early_end()
    closed_year_evaluation(cycle, mentees=6, mentors=4)

    response, by_key = _charts(client, cycle)
    chart = by_key["evaluation"]
    root = _parse(chart.svg)

    rows = {row.label: row.value for row in chart.rows}
    mentee_rows = [value for label, value in rows.items() if label.endswith("(mentee)")]
    mentor_rows = [value for label, value in rows.items() if label.endswith("(mentor)")]
    assert len(mentee_rows) == 5 and set(mentee_rows) == {"4,0"}  # the five scale questions
    assert len(mentor_rows) == 5 and set(mentor_rows) == {str(TOO_FEW)}
    # The picture holds the mentees' averages only: the mentors' 2,0 never reaches the SVG.
    assert _values(root) == ["4,0"] * 5
    assert "2,0" not in chart.svg
    # Open answers are never part of a chart, nor of the page.
    assert "GEHEIM-OPEN-ANTWOORD" not in chart.svg + response.content.decode()
    # The text alternative: a sentence as alt, and the table with every question and role.
    assert chart.summary == (
        "Jaarevaluatie: gemiddelde per vraag (1 tot 5): 5 gemiddelden getoond, van 4,0 tot 4,0. "
        "5 gemiddelden rusten op te weinig antwoorden om te tonen. De tabel ernaast geeft elke vraag per rol."
    )
    page = response.content.decode()
    assert f'src="{chart.data_uri}"' in page and f'alt="{chart.summary}"' in page
    assert "Hoe goed klikte het tussen jou en je mentor of mentee? (mentor)" in page


def test_with_5_mentors_both_roles_are_in_the_chart():
    cycle = _cycle_with_4_renewals_and_1_early_end()
    closed_year_evaluation(cycle, mentees=5, mentors=5)
    year = year_report.build(cycle=cycle)

    chart = charts.evaluation_chart(year.evaluation)

    assert sorted(_values(_parse(chart.svg))) == ["2,0"] * 5 + ["4,0"] * 5
    assert str(TOO_FEW) not in [row.value for row in chart.rows]


def test_before_the_round_has_closed_the_chart_says_there_is_nothing_yet(client):
    from evaluations.models import EvaluationRound  # noqa: PLC0415
    from evaluations.tests.factories import EvaluationRoundFactory  # noqa: PLC0415

    cycle = _cycle_with_4_renewals_and_1_early_end()
    EvaluationRoundFactory(cycle=cycle, kind=EvaluationRound.Kind.FINAL, name="Eindevaluatie 2027")

    _response, by_key = _charts(client, cycle)

    chart = by_key["evaluation"]
    _parse(chart.svg)
    assert chart.rows == []
    assert chart.summary.endswith("nog geen resultaten van Eindevaluatie 2027 te tonen.")


def test_the_year_report_page_shows_the_funnel_and_the_evaluation_chart(client):
    cycle = _cycle_with_4_renewals_and_1_early_end()
    closed_year_evaluation(cycle, mentees=6, mentors=4)
    client.force_login(CoordinatorFactory())

    response = client.get(reverse("year_report", args=[cycle.pk]))

    page = response.content.decode()
    by_key = {chart.key: chart for chart in response.context["charts"]}
    assert set(by_key) == {"funnel", "evaluation"}
    for chart in by_key.values():
        _parse(chart.svg)
        assert f'src="{chart.data_uri}"' in page and f'alt="{chart.summary}"' in page
    assert _values(_parse(by_key["evaluation"].svg)) == ["4,0"] * 5
    assert "GEHEIM-OPEN-ANTWOORD" not in page
