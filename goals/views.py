"""The pair's goal pages. Every object goes through pair_for_goals or goal_for_user (404 for anyone else)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_error

from . import selectors, services
from .forms import CarryOverForm, GoalForm
from .models import MAX_LIVE_GOALS


def _pair_context(request, match) -> dict:
    return {"match": match, "partner": match.partner_of(request.user), "is_mentee": request.user.pk == match.mentee_id}


@login_required
@require_GET
def goal_list(request, match_pk):
    match = selectors.pair_for_goals(user=request.user, pk=match_pk)
    goals = selectors.pair_goals(match=match)
    live = sum(1 for view in goals if view.goal.is_live)
    context = _pair_context(request, match) | {
        "goals": goals,
        "can_change": match.is_ongoing,
        "can_add": match.is_ongoing and live < MAX_LIVE_GOALS,
        "max_goals": MAX_LIVE_GOALS,
    }
    return render(request, "goals/goal_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def goal_create(request, match_pk):
    match = selectors.pair_for_goals(user=request.user, pk=match_pk)
    if not match.is_ongoing:
        messages.error(request, _("This mentorship is no longer running, so its goals can no longer be changed."))
        return redirect("goals:list", match_pk=match.pk)
    first = not selectors.pair_goals(match=match, with_history=False)
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                services.goal_add(match=match, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The goal is saved. The other half of your pair sees it too."))
                return redirect("goals:list", match_pk=match.pk)
    else:
        # The first goal starts from her mentorvraag (R7) or the agreement's Missie (R16); she edits it.
        form = GoalForm(initial={"text": selectors.suggestion(match=match)} if first else {})
    agreement = getattr(match, "agreement", None)
    context = _pair_context(request, match) | {
        "form": form,
        "first": first,
        "mentoring_question": match.mentee_application.mentoring_question if match.mentee_application else "",
        "mission": agreement.mission if agreement is not None else "",
    }
    return render(request, "goals/goal_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk):
    goal = selectors.goal_for_user(user=request.user, pk=pk)
    match = goal.match
    if not match.is_ongoing:
        messages.error(request, _("This mentorship is no longer running, so its goals can no longer be changed."))
        return redirect("goals:list", match_pk=match.pk)
    if request.method == "POST":
        form = GoalForm(request.POST, with_state=True)
        if form.is_valid():
            try:
                services.goal_update(goal=goal, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The goal is updated."))
                return redirect("goals:list", match_pk=match.pk)
    else:
        view = selectors.GoalView(
            goal=goal,
            text=selectors.readable(goal.text_ciphertext),
            next_step=selectors.readable(goal.next_step_ciphertext),
        )
        form = GoalForm(
            with_state=True,
            initial={
                "text": view.text or "",
                "next_step": view.next_step or "",
                "target_month": goal.target_month,
                "state": goal.state,
            },
        )
    return render(request, "goals/goal_form.html", _pair_context(request, match) | {"form": form, "goal": goal})


@login_required
@require_POST
def goal_carry_over(request, match_pk):
    """R5: from the renewal page, which running goals go into a new term."""
    match = selectors.pair_for_goals(user=request.user, pk=match_pk)
    form = CarryOverForm(request.POST, goals=selectors.live_goals(match=match))
    if form.is_valid():
        try:
            services.goals_choose_carry_over(match=match, by=request.user, carried=set(form.cleaned_data["carried"]))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your choice for your goals is saved."))
    else:
        messages.error(request, _("That choice could not be saved. Please try again."))
    return redirect("matching:renewal", pk=match.pk)
