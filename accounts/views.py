from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.forms import add_service_error

from . import selectors, services
from .forms import ProfileForm


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return None


@login_required
def profile(request):
    """Her own profile: what she filled in, her verification status and roles, and what to do next."""
    status = selectors.member_status(user=request.user)
    if status.profile is None:
        return redirect("accounts:profile_edit")
    return render(request, "accounts/profile.html", {"status": status, "profile": status.profile})


@login_required
def profile_edit(request):
    """The profile step after sign-up, and later editing; the service enforces R2 and R3."""
    existing = selectors.profile_for_user(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=existing, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(user=request.user, **form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if existing is None:
                messages.success(request, _("Thank you! Your programme profile is complete."))
            else:
                messages.success(request, _("Your profile has been saved."))
            return redirect(_safe_next(request) or "accounts:profile")
    return render(
        request,
        "accounts/profile_form.html",
        {"form": form, "first_time": existing is None, "next": _safe_next(request) or ""},
    )
