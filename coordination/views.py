from django.http import Http404
from django.shortcuts import render

from . import cockpit


def coordination(request):
    """The coordinators' cockpit: the state of the year and the next step (issue 16 §1).

    Only for coordinators (staff in the coordinators' group); everyone else gets a 404, so
    the page does not even admit it exists. Counts, dates and names only.
    """
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_coordinator):
        raise Http404
    return render(request, "coordination/cockpit.html", cockpit.cockpit(cycle_id=request.GET.get("cyclus")))
