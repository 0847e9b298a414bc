"""Participants' pages: the evaluation form at her personal link, and the thank-you page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters

from core.forms import add_service_error

from . import selectors, services
from .forms import EvaluationForm


def _unavailable(request):
    # The same page for an unknown token and for someone else's: it says nothing about whose it was.
    return render(request, "evaluations/unavailable.html", status=404)


@sensitive_post_parameters()  # answers never appear in error reports
@login_required
def respond(request, token):
    try:
        invitation = selectors.invitation_for_user(request.user, token)
    except Http404:
        return _unavailable(request)
    if selectors.invitation_is_submitted(invitation):
        return render(request, "evaluations/already_submitted.html", {"invitation": invitation})
    today = timezone.localdate()
    if not invitation.round.is_open_on(today):
        return render(request, "evaluations/closed.html", {"invitation": invitation, "today": today})

    questions = services.questions_for(round=invitation.round, role=invitation.role)
    form = EvaluationForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(invitation=invitation, user=request.user, answers=form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict") and selectors.invitation_is_submitted(invitation):
                return render(request, "evaluations/already_submitted.html", {"invitation": invitation})
            add_service_error(form, error)
        else:
            return redirect("evaluations:thanks")
    context = {
        "invitation": invitation,
        "form": form,
        "min_group": selectors.min_group_size(),
        "min_open": selectors.min_open_answers(),
    }
    return render(request, "evaluations/respond.html", context)


@login_required
def thanks(request):
    return render(request, "evaluations/thanks.html")
