from django.shortcuts import render

from core.mfa import coordinator_required

from . import cockpit


@coordinator_required
def coordination(request):
    """The coordinators' cockpit: the state of the year and the next step (issue 16 §1).

    Only for coordinators whose session passed a second factor (`core.mfa.coordinator_gate`, the
    admin's gate too); everyone else gets a 404, so the page does not even admit it exists.
    Counts, dates and names only.
    """
    return render(request, "coordination/cockpit.html", cockpit.cockpit(cycle_id=request.GET.get("cyclus")))
