"""Mijn gegevens: a member sees, downloads and erases her data (AVG arts. 15, 17, 20).

The download and the erasure ask for her password again (allauth's reauthentication):
a session left open on a shared computer must not hand out or destroy her data.
"""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import data_rights


@never_cache
@login_required
def my_data(request):
    """Everything the programme stores about her, grouped and readable."""
    return render(
        request,
        "accounts/my_data.html",
        {
            "sections": data_rights.personal_data(request.user),
            "may_erase": data_rights.may_erase_own_account(request.user),
        },
    )


@never_cache
@login_required
@reauthentication_required
def my_data_download(request):
    response = HttpResponse(data_rights.export_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{data_rights.export_file_name(request.user)}"'
    return response


@never_cache
@login_required
@reauthentication_required
def account_delete(request):
    """A clear page on what happens to what; erasure only on an explicit confirmation (POST)."""
    if not data_rights.may_erase_own_account(request.user):
        raise PermissionDenied(
            _("A coordinator's account is erased by another coordinator, once she no longer coordinates.")
        )
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that you want to delete your account."))
            return render(request, "accounts/account_delete.html", status=400)
        member = request.user
        data_rights.member_erase(member=member, by=member)
        logout(request)
        messages.success(
            request, _("Your account and your personal data have been deleted. Thank you for taking part.")
        )
        return redirect("home")
    return render(request, "accounts/account_delete.html")
