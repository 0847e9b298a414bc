from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services as account_services


def home(request):
    return render(request, "pages/home.html")


def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, an .ics, a mail client).
    return redirect(static("img/favicon.ico"), permanent=True)


def misconduct(request):
    """R13: where to turn with misconduct or problems that need professional help."""
    return render(request, "pages/misconduct.html")


def confidentiality(request):
    """R11 and R14: what stays between the pair, and what the programme stores."""
    return render(request, "pages/confidentiality.html")


def privacy(request):
    """The privacy statement, written for members; the periods are the ones retention really uses."""
    return render(
        request,
        "pages/privacy.html",
        {
            "inactive_years": settings.RETENTION_INACTIVE_YEARS,
            "warning_days": settings.RETENTION_WARNING_DAYS,
            "outbox_days": settings.RETENTION_OUTBOX_DAYS,
            "notes_months": settings.RETENTION_NOTES_MONTHS,
        },
    )


@login_required
def dashboard(request):
    # Each app renders its own panel (see templates/dashboard.html), so this view
    # stays ignorant of matching, meetings and evaluations. Her panels read her pairs and applications:
    # the nav above them reads the same lists, once, instead of asking first (matching.selectors).
    request.reads_participation = True
    return render(request, "dashboard.html")


@require_POST
def set_language(request):
    """Django's switcher, plus remembering the choice for e-mails to this member."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        account_services.user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response
