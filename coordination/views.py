import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from matching.models import Cycle

from . import cockpit, pdf, report


def _coordinator_or_404(request) -> None:
    """Only coordinators (staff in the coordinators' group); everyone else gets a 404, so the page
    does not even admit it exists. The one check of the cockpit and the year report."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_coordinator):
        raise Http404


def coordination(request):
    """The coordinators' cockpit: the state of the year and the next step (issue 16 §1).

    Counts, dates and names only.
    """
    _coordinator_or_404(request)
    return render(request, "coordination/cockpit.html", cockpit.cockpit(cycle_id=request.GET.get("cyclus")))


def _year_report(request, cycle_id) -> report.YearReport:
    _coordinator_or_404(request)
    cycles = list(Cycle.objects.order_by("-planned_start"))
    cycle = next((c for c in cycles if c.pk == cycle_id), None)
    if cycle is None:
        raise Http404
    return report.build(cycle=cycle, cycles=cycles)


def year_report(request, cycle_id: int):
    """The year report for the board (issue 27 §2): printable, every figure through the suppression function."""
    return render(request, "coordination/year_report.html", {"report": _year_report(request, cycle_id)})


def year_report_csv(request, cycle_id: int):
    year = _year_report(request, cycle_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jaarverslag-{slugify(year.cycle.name)}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    csv.writer(response, delimiter=";").writerows(report.csv_rows(year))
    return response


def year_report_pdf(request, cycle_id: int):
    year = _year_report(request, cycle_id)
    response = HttpResponse(pdf.year_report_pdf(year), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="jaarverslag-{slugify(year.cycle.name)}.pdf"'
    return response
