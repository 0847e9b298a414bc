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
    for key in ("renewed", "renewal_rate", "ended_early", "early_end_rate", "ended_by_mentee"):
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


def test_a_role_with_4_respondents_is_too_few(client, settings):
    from evaluations.tests.factories import EvaluationRoundFactory  # noqa: PLC0415

    cycle = _cycle_with_4_renewals_and_1_early_end()
    EvaluationRoundFactory(cycle=cycle)
    report = year_report.build(cycle=cycle)
    for line in report.sections[2][1]:
        assert line.current in ("te weinig", ""), line.key


def test_the_report_stays_within_its_query_budget(client):
    cycle = _cycle_with_4_renewals_and_1_early_end()
    previous = CycleFactory(
        status=Cycle.Status.CLOSED, planned_start=cycle.planned_start - datetime.timedelta(days=365)
    )
    ActiveMatchFactory(cycle=previous)
    client.force_login(CoordinatorFactory())

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("year_report", args=[cycle.pk])).status_code == 200

    assert len(queries) <= 20, [q["sql"][:120] for q in queries]


@pytest.mark.parametrize("name", ["year_report", "year_report_csv", "year_report_pdf"])
def test_a_coordinator_without_a_second_factor_sets_one_up_first(client, name):
    client.force_login(CoordinatorFactory(second_factor=False))

    response = client.get(reverse(name, args=[CycleFactory().pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
