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

    assert set(by_key) == {"funnel", "pairs", "meetings"}
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
