import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from core.mfa import coordinator_required
from matching.models import Cycle

from . import charts, cockpit, pdf, report


@coordinator_required
def coordination(request):
    """The coordinators' cockpit: the state of the year and the next step (issue 16 §1).

    Only for coordinators whose session passed a second factor (`core.mfa.coordinator_gate`, the
    admin's gate too); everyone else gets a 404, so the page does not even admit it exists.
    Counts, dates and names only.
    """
    context = cockpit.cockpit(cycle_id=request.GET.get("cyclus"))
    context["charts"] = charts.for_cockpit(
        cycle=context["cycle"],
        cycles=context["cycles"],
        funnel_extra=context["funnel_extra"],
        rounds=[summary.round for summary in context["evaluations"]],
    )
    return render(request, "coordination/cockpit.html", context)


def _year_report(request, cycle_id) -> report.YearReport:
    """The cycle's report; the views around it are behind the cockpit's own gate (coordinator + MFA)."""
    cycles = list(Cycle.objects.order_by("-planned_start"))
    cycle = next((c for c in cycles if c.pk == cycle_id), None)
    if cycle is None:
        raise Http404
    return report.build(cycle=cycle, cycles=cycles)


@coordinator_required
def year_report(request, cycle_id: int):
    """The year report for the board (issue 27 §2): printable, every figure through the suppression function."""
    year = _year_report(request, cycle_id)
    context = {"report": year, "charts": charts.for_year_report(year), "min_group_size": year.minimum}
    return render(request, "coordination/year_report.html", context)


@coordinator_required
def year_report_csv(request, cycle_id: int):
    year = _year_report(request, cycle_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jaarverslag-{slugify(year.cycle.name)}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    csv.writer(response, delimiter=";").writerows(report.csv_rows(year))
    return response


@coordinator_required
def year_report_pdf(request, cycle_id: int):
    year = _year_report(request, cycle_id)
    response = HttpResponse(pdf.year_report_pdf(year), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="jaarverslag-{slugify(year.cycle.name)}.pdf"'
    return response
