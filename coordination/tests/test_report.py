"""The year report (issue 27 §2): access, small groups as "te weinig" everywhere, PDF = page, query budget."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.factories import CoordinatorFactory, MemberFactory
from coordination import report as year_report
from matching import services as matching_services
from matching.models import Cycle, Match
from matching.tests.factories import ActiveMatchFactory, CycleFactory

pytestmark = pytest.mark.django_db


def _cycle_with_4_renewals_and_1_early_end() -> Cycle:
    today = timezone.localdate()
    cycle = CycleFactory(
        status=Cycle.Status.RUNNING,
        applications_open=today - datetime.timedelta(days=400),
        applications_close=today - datetime.timedelta(days=380),
        planned_start=today - datetime.timedelta(days=365),
    )
    later = CycleFactory(status=Cycle.Status.RUNNING, planned_start=today)
    pairs = [ActiveMatchFactory(cycle=cycle, confirmed_at=timezone.now()) for _ in range(12)]
    for pair in pairs[:4]:
        Match.objects.filter(pk=pair.pk).update(status=Match.Status.COMPLETED)
        ActiveMatchFactory(cycle=later, mentor=pair.mentor, mentee=pair.mentee, term=2, previous_term=pair)
    Match.objects.filter(pk=pairs[4].pk).update(
        status=Match.Status.ENDED_EARLY, ended_on=today, ended_by=pairs[4].mentee, end_reason="GEHEIME-REDEN"
    )
    return cycle


def test_members_and_staff_outside_the_group_get_404(client):
    cycle = CycleFactory()
    for url in ("year_report", "year_report_csv", "year_report_pdf"):
        assert client.get(reverse(url, args=[cycle.pk])).status_code == 404
        client.force_login(MemberFactory())
        assert client.get(reverse(url, args=[cycle.pk])).status_code == 404
        client.logout()
    client.force_login(CoordinatorFactory())
    assert client.get(reverse("year_report", args=[cycle.pk + 1000])).status_code == 404


def test_4_renewals_and_1_early_end_are_too_few_on_the_page_in_the_csv_and_in_the_pdf(client):
    cycle = _cycle_with_4_renewals_and_1_early_end()
    client.force_login(CoordinatorFactory())

    page = client.get(reverse("year_report", args=[cycle.pk]))
    lines = {line.key: line for line in page.context["report"].lines}
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("year_report_csv", args=[cycle.pk])).content.decode()), delimiter=";")
    )
    pdf_text = "\n".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(client.get(reverse("year_report_pdf", args=[cycle.pk])).content)).pages
    )

    assert lines["matched"].current == "12"
    for key in ("renewed", "renewal_rate", "ended_early", "early_end_rate", "end_category_unknown"):
        assert lines[key].current == "te weinig", key
    csv_figures = {row[1]: row[2] for row in rows[1:]}
    assert csv_figures[lines["renewed"].label] == "te weinig"
    assert csv_figures[lines["ended_early"].label] == "te weinig"
    assert "te weinig" in page.content.decode()
    assert "GEHEIME-REDEN" not in page.content.decode() + str(rows) + pdf_text
    # The PDF says what the page says, line by line.
    pdf_lines = pdf_text.splitlines()
    for line in page.context["report"].lines:
        assert any(line.label in text and text.rstrip().endswith(line.current) for text in pdf_lines), line.label


def _cycle_with_early_ends(categories: dict[str, int], *, pairs: int = 20) -> Cycle:
    """A cycle whose early ends were ended through the service, with these categories and a free text."""
    cycle = CycleFactory(status=Cycle.Status.RUNNING)
    matches = [ActiveMatchFactory(cycle=cycle, confirmed_at=timezone.now()) for _ in range(pairs)]
    ended = iter(matches)
    for category, count in categories.items():
        for _ in range(count):
            pair = next(ended)
            matching_services.match_end_early(
                match=pair, by=pair.mentee, reason=f"VRIJE-TEKST {pair.pk}", category=category, notify=False
            )
    return cycle


def _surfaces(client, cycle):
    """The page's lines, the CSV's figures by label and the PDF's text lines."""
    client.force_login(CoordinatorFactory())
    page = client.get(reverse("year_report", args=[cycle.pk]))
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("year_report_csv", args=[cycle.pk])).content.decode()), delimiter=";")
    )
    pdf = PdfReader(io.BytesIO(client.get(reverse("year_report_pdf", args=[cycle.pk])).content))
    pdf_text = "\n".join(p.extract_text() for p in pdf.pages)
    return page, {row[1]: row[2] for row in rows[1:]}, pdf_text


def test_early_ends_are_counted_per_category_on_the_page_the_csv_and_the_pdf_never_as_free_text(client):
    cycle = _cycle_with_early_ends({"time": 6, "fit": 5})

    page, csv_figures, pdf_text = _surfaces(client, cycle)

    lines = {line.key: line for line in page.context["report"].lines}
    assert lines["ended_early"].current == "11"
    assert lines["end_category_time"].current == "6"
    assert lines["end_category_fit"].current == "5"
    assert lines["end_category_time"].label == "voortijdig beëindigd: tijd of werkdruk"
    for quiet in ("circumstances", "goal_reached", "other", "unknown"):
        assert lines[f"end_category_{quiet}"].current == "te weinig"  # zero is fewer than 5 too
    for key in ("end_category_time", "end_category_fit"):
        assert csv_figures[lines[key].label] == lines[key].current
        assert any(
            lines[key].label in text and text.rstrip().endswith(lines[key].current) for text in pdf_text.splitlines()
        )
    everything = page.content.decode() + str(csv_figures) + pdf_text
    assert "VRIJE-TEKST" not in everything


def test_a_category_with_one_early_end_is_too_few_and_cannot_be_worked_out_from_the_total(client):
    cycle = _cycle_with_early_ends({"time": 6, "fit": 1})

    page, csv_figures, pdf_text = _surfaces(client, cycle)

    lines = {line.key: line for line in page.context["report"].lines}
    assert lines["end_category_fit"].current == "te weinig"
    assert csv_figures[lines["end_category_fit"].label] == "te weinig"
    # 7 ended early minus 6 for time would give away the one: at most one of the two is shown.
    assert "te weinig" in (lines["ended_early"].current, lines["end_category_time"].current)
    assert "VRIJE-TEKST" not in page.content.decode() + pdf_text


def test_a_role_with_4_respondents_is_too_few(client, settings):
    from evaluations.tests.factories import EvaluationRoundFactory  # noqa: PLC0415

    cycle = _cycle_with_4_renewals_and_1_early_end()
    EvaluationRoundFactory(cycle=cycle)
    report = year_report.build(cycle=cycle)
    for line in report.sections[2][1]:
        assert line.current in ("te weinig", ""), line.key


def test_the_report_stays_within_its_query_budget(client):
    from coordination.tests.test_charts import closed_year_evaluation  # noqa: PLC0415

    cycle = _cycle_with_4_renewals_and_1_early_end()
    previous = CycleFactory(
        status=Cycle.Status.CLOSED, planned_start=cycle.planned_start - datetime.timedelta(days=365)
    )
    ActiveMatchFactory(cycle=previous)
    # Both years' evaluations closed and published: the report counts them, per category and per role.
    closed_year_evaluation(cycle, mentees=5, mentors=5)
    closed_year_evaluation(previous, mentees=5, mentors=5)
    _cycle_with_early_ends({"time": 5, "fit": 1})
    client.force_login(CoordinatorFactory())

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("year_report", args=[cycle.pk]))
    assert response.status_code == 200
    assert [chart.key for chart in response.context["charts"]] == ["funnel", "evaluation"]

    # Session, user, coordinators' group, the header's profile; cycles, registrations, applications,
    # rounds with their questions; per cycle its pairs and its evaluation (sealed ballots waiting and
    # the counts: one query on PostgreSQL, three on SQLite's json_each). 19 on SQLite, 15 on PostgreSQL.
    assert len(queries) <= (19 if connection.vendor == "sqlite" else 15), [q["sql"][:120] for q in queries]


@pytest.mark.parametrize("name", ["year_report", "year_report_csv", "year_report_pdf"])
def test_a_coordinator_without_a_second_factor_sets_one_up_first(client, name):
    client.force_login(CoordinatorFactory(second_factor=False))

    response = client.get(reverse(name, args=[CycleFactory().pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")


def test_a_long_evaluation_label_is_set_smaller_in_the_pdf_rather_than_running_into_its_figures():
    from fpdf import FPDF  # noqa: PLC0415

    from coordination import pdf  # noqa: PLC0415

    document = FPDF(format="A4")
    document.add_page()
    document.set_font("Helvetica", "", 9)
    label = "In hoeverre is er aan de mentorvraag of doelstelling gewerkt, ook buiten de gesprekken? (mentee)"
    assert document.get_string_width(label) > 108

    pdf._fit(document, label, 110)

    assert document.get_string_width(label) <= 108


def test_property_early_ends_per_category_never_isolate_fewer_than_5(client):
    """Random small cycles: whatever the early ends per category, no sum or difference of the shown
    early-end figures (the total and its categories) holds 1 to 4 pairs."""
    import itertools  # noqa: PLC0415
    import random  # noqa: PLC0415

    categories = year_report.END_CATEGORIES
    shown_somewhere = 0
    for seed in range(6):
        rng = random.Random(seed)
        counts = {category: rng.choice([0, 0, 1, 2, 4, 5, 6, 9]) for category in categories}
        cycle = CycleFactory(status=Cycle.Status.RUNNING)
        pairs = [ActiveMatchFactory(cycle=cycle, confirmed_at=timezone.now()) for _ in range(sum(counts.values()) + 3)]
        ended = iter(pairs)
        for category, count in counts.items():
            chosen = [next(ended).pk for _ in range(count)]
            Match.objects.filter(pk__in=chosen).update(status=Match.Status.ENDED_EARLY, end_category=category)

        lines = {line.key: line for line in year_report.build(cycle=cycle, evaluations=False).lines}

        figures = {"ended_early": set(categories)} | {f"end_category_{c}": {c} for c in categories}
        shown = [key for key in figures if lines[key].shown[year_report.CURRENT]]
        shown_somewhere += len(shown)
        for key in shown:
            assert lines[key].values[year_report.CURRENT] >= 5, (seed, key)
        for coefficients in itertools.product((-1, 0, 1), repeat=len(shown)):
            times = {
                c: sum(k * (c in figures[key]) for k, key in zip(coefficients, shown, strict=True)) for c in categories
            }
            if all(n in (0, 1) for n in times.values()):
                size = sum(counts[c] for c, n in times.items() if n)
                assert not 0 < size < 5, (seed, counts, shown, coefficients)
    assert shown_somewhere > 0  # not by hiding everything
