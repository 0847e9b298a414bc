from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.eligibility import role_chosen, role_decision
from core.forms import add_service_error

from . import agreements, fit_checks, places, selectors, services, waiting_list
from . import renewal as renewal_services
from .forms import (
    AgreementForm,
    FitCheckForm,
    MenteeApplicationForm,
    MentorAnswerForm,
    MentorApplicationForm,
    MentorChoicesForm,
    MentorPlacesForm,
    RenewalForm,
    WithdrawForm,
)
from .models import Application, FitCheck, Role

FORMS = {Role.MENTEE: MenteeApplicationForm, Role.MENTOR: MentorApplicationForm}


@login_required
def overview(request):
    """Her programme page: open cycles, her applications with their state, and her pairs."""
    # Read once for this page and the nav on it.
    participation = selectors.participation_for_request(request=request)
    applications = [
        {"application": application, "state": selectors.application_state(application=application)}
        for application in participation.applications
    ]
    # Not matched: she may take her application to the next cycle (issue 25 §8); one query for them all.
    carry_to = selectors.carry_over_targets(
        applications=participation.applications,
        candidates=[item["application"] for item in applications if item["state"] in ("not_matched", "waiting_list")],
        open_cycles=participation.open_cycles,
        pairs=participation.pairs,
    )
    for item in applications:
        # Withdrawing a matched application ends her mentorships: the button says with whom (issue 25 §7).
        if item["state"] in ("matched", "partly_matched"):
            item["partners"] = selectors.ongoing_partners_of(application=item["application"], pairs=participation.pairs)
        if item["application"].pk in carry_to:
            item["carry_to"] = carry_to[item["application"].pk]
    applied = {
        (item["application"].cycle_id, item["application"].role)
        for item in applications
        if item["application"].status == Application.Status.SUBMITTED
    }
    open_cycles = [
        {
            "cycle": cycle,
            "applied_mentee": (cycle.pk, Role.MENTEE) in applied,
            "applied_mentor": (cycle.pk, Role.MENTOR) in applied,
        }
        for cycle in participation.open_cycles
    ]
    context = {
        "mentor_questions": participation.mentor_questions,
        "open_cycles": open_cycles,
        "applications": applications,
        "matches": participation.matches,
        "may_apply": role_decision(request.user, Role.MENTEE),
        "may_mentor": role_decision(request.user, Role.MENTOR),
        "chose_mentee": role_chosen(request.user, Role.MENTEE),
        "chose_mentor": role_chosen(request.user, Role.MENTOR),
    }
    return render(request, "matching/overview.html", context)


@login_required
def apply(request, cycle_pk, role):
    if role not in Role.values:
        raise Http404
    cycle = get_object_or_404(selectors.open_cycles(), pk=cycle_pk)
    # Refused (R2/R3) or a role she did not choose: say why, once, instead of a form she cannot send.
    decision = role_decision(request.user, role)
    if decision:
        decision = role_chosen(request.user, role)
    if not decision:
        context = {"cycle": cycle, "role": role, "refusal": decision.reason}
        return render(request, "matching/application_form.html", context)
    form = FORMS[role](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(member=request.user, cycle=cycle, role=role, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Thank you for applying. The coordinators will be in touch once pairs are made.")
            )
            return redirect("matching:overview")
    return render(request, "matching/application_form.html", {"form": form, "cycle": cycle, "role": role})


@login_required
def application_edit(request, pk):
    application = selectors.application_for_user(user=request.user, pk=pk)
    form = FORMS[application.role](request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.application_update(application=application, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your application has been updated."))
            return redirect("matching:overview")
    return render(
        request,
        "matching/application_form.html",
        {"form": form, "cycle": application.cycle, "role": application.role, "application": application},
    )


@login_required
def application_places(request, pk):
    """Issue 25 §4: a mentor raises or lowers her number of places, or pauses this cycle, also once matched."""
    application = selectors.application_for_user(user=request.user, pk=pk)
    if application.role != Role.MENTOR or application.status != Application.Status.SUBMITTED:
        raise Http404
    initial = {"capacity": application.capacity, "paused": application.paused}
    form = MentorPlacesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            places.mentor_places_set(application=application, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your places have been saved."))
            return redirect("matching:overview")
    live = selectors.live_matches_for_application(application=application).count()
    return render(request, "matching/application_places.html", {"form": form, "application": application, "live": live})


@login_required
def application_carry_over(request, pk):
    """Issue 25 §8: not matched this cycle? Take the application to the next cycle in one step, after a look."""
    application = selectors.application_for_user(user=request.user, pk=pk)
    target = selectors.carry_over_target(application=application)
    if target is None:
        messages.info(request, _("This application cannot be carried to a next cycle now."))
        return redirect("matching:overview")
    if request.method == "POST":
        try:
            waiting_list.application_carry_over(application=application, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Your application is now for %(cycle)s. You can still change it until the applications close.")
                % {"cycle": target},
            )
        return redirect("matching:overview")
    context = {
        "application": application,
        "target": target,
        "choices": selectors.choices_to_carry(application=application, target=target),
    }
    return render(request, "matching/application_carry_over.html", context)


@login_required
def mentor_choices(request, pk):
    """Issue 25 §1: her shortlist of mentors as cards, and her ranking of up to three while applications are open."""
    application = selectors.application_for_user(user=request.user, pk=pk)
    if not selectors.shortlist_open(application=application):
        raise Http404
    cards = selectors.shortlist(application=application)
    may_change = selectors.choices_open(application=application)
    ranked = {card.rank: str(card.application_id) for card in cards if card.rank}
    initial = {f"choice_{rank}": pk for rank, pk in ranked.items()}
    form = MentorChoicesForm(request.POST or None, cards=cards, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_choices_set(
                application=application,
                by=request.user,
                mentor_application_ids=form.cleaned_data["mentor_application_ids"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your choices have been saved. You can change them until applications close."))
            return redirect("matching:mentor_choices", pk=application.pk)
    context = {
        "application": application,
        "cards": cards,
        "form": form,
        "may_change": may_change,
        "ranked": sorted((card for card in cards if card.rank), key=lambda card: card.rank),
    }
    return render(request, "matching/mentor_choices.html", context)


@login_required
def mentor_answer(request, pk):
    """Issue 25 §3: the mentor reads who the coordinators paired her with, and why, and says yes or no."""
    match = selectors.question_for_mentor(user=request.user, pk=pk)
    form = MentorAnswerForm(request.POST or None, initial={"answer": request.GET.get("answer")})
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["answer"] == "yes":
                services.match_mentor_accept(match=match, by=request.user)
            else:
                services.match_mentor_decline(match=match, by=request.user, reason=form.cleaned_data["decline_reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if form.cleaned_data["answer"] == "yes":
                messages.success(
                    request, _("Thank you! %(name)s now receives your contact details.") % {"name": match.mentee}
                )
                return redirect("matching:pair_detail", pk=match.pk)
            messages.success(request, _("Thank you for letting us know. The coordinators look for another mentor."))
            return redirect("matching:overview")
    context = {
        "match": match,
        "form": form,
        "mentee": match.mentee,
        "question": match.mentee_application.mentoring_question if match.mentee_application else "",
        "reasons": selectors.match_reasons(match=match),
    }
    return render(request, "matching/mentor_answer.html", context)


@login_required
def application_withdraw(request, pk):
    application = selectors.application_for_user(user=request.user, pk=pk)
    matched = selectors.matches_known_to_member(application=application).exists()
    form = WithdrawForm(request.POST or None)
    if not matched:
        del form.fields["share_reason"]  # nobody to share it with
        del form.fields["category"]  # no mentorship ends
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application=application,
                by=request.user,
                reason=form.cleaned_data["reason"],
                category=form.cleaned_data.get("category", ""),
                share_reason=form.cleaned_data.get("share_reason", False),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your application has been withdrawn."))
            return redirect("matching:overview")
    context = {
        "form": form,
        "application": application,
        "matched": matched,
        "partners": selectors.ongoing_partners_of(application=application) if matched else "",
    }
    return render(request, "matching/application_withdraw.html", context)


def _pair_context(request, match):
    renewal_due = selectors.renewal_due(match=match)
    # The pages show the renewal answers only while the question is open (R5): no read before that.
    answers = selectors.renewal_answers(match=match) if renewal_due else {}
    open_fit_check, my_fit_answer = selectors.fit_checks_of(match=match, user=request.user)
    partner = match.partner_of(request.user)
    return {
        "match": match,
        "is_mentee": request.user.pk == match.mentee_id,
        "partner": partner,
        "show_contact_details": selectors.may_see_contact_details(viewer=request.user, person=partner, match=match),
        # Created when the pair was activated: a page only reads it (`pair_for_user` reads it with the pair).
        "agreement": getattr(match, "agreement", None),
        "renewal_due": renewal_due,
        "my_renewal_answer": answers.get(request.user.pk),
        "partner_renewal_answer": answers.get(partner.pk),
        "renewal_outcome": selectors.renewal_outcome(match=match, answers=answers),
        # R5: who starts the new term once both said yes (MATCHING_RENEWAL_STARTED_BY).
        "renewal_started_by_system": renewal_services.renewal_started_by_system(),
        "terms": selectors.terms_of(match=match),
        "show_end_reason": selectors.end_reason_visible_to(match=match, user=request.user),
        "open_fit_check": open_fit_check,
        "my_fit_answer": my_fit_answer,
    }


@login_required
def partner_profile(request, pk):
    """Her partner's profile; the contact details only while their pair is active (R8)."""
    own = getattr(request.user, "profile", None)
    if own is not None and own.pk == pk:
        return redirect("accounts:profile")
    profile = selectors.partner_profile_for_viewer(viewer=request.user, pk=pk)
    show_contact_details = selectors.may_see_contact_details(viewer=request.user, person=profile.user)
    return render(
        request, "matching/partner_profile.html", {"profile": profile, "show_contact_details": show_contact_details}
    )


@login_required
def pair_detail(request, pk):
    """The pair page "Mijn mentorschap": only the pair sees it (R8 contact details, R16 agreement)."""
    match = selectors.pair_for_user(user=request.user, pk=pk, reads=selectors.PAIR_PAGE_READS)
    return render(request, "matching/pair_detail.html", _pair_context(request, match))


@login_required
def agreement_edit(request, pk):
    match = selectors.pair_for_user(user=request.user, pk=pk, reads=selectors.AGREEMENT_PAGE_READS)
    agreement = getattr(match, "agreement", None)
    if not match.is_ongoing or agreement is None:
        raise Http404
    form = AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.agreement_update(match=match, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your agreement has been saved."))
            return redirect("matching:pair_detail", pk=match.pk)
    # The ModelForm wrote the typed values onto the instance; nothing was saved.
    return render(request, "matching/agreement_form.html", {"form": form, "match": match})


@login_required
def first_contact(request, pk):
    """R8: "I have made contact", one click on the pair page; the e-mail's link shows the same button.

    A GET never records anything (mail scanners open links), it asks for the one click.
    """
    match = selectors.pair_for_user(user=request.user, pk=pk)
    if request.user.pk != match.mentee_id or not match.is_ongoing:
        return redirect("matching:pair_detail", pk=match.pk)
    if request.method == "POST":
        try:
            services.match_first_contact_record(match=match, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Thank you! Good luck with your introductory meeting; plan it here as soon as you have a date."),
            )
        return redirect("matching:pair_detail", pk=match.pk)
    return render(request, "matching/first_contact.html", {"match": match, "partner": match.mentor})


@login_required
def fit_check(request, pk):
    """Issue 15 §3: her private answer to "does it fit?"; only the coordinators see it."""
    match = selectors.pair_for_user(user=request.user, pk=pk)
    if selectors.open_fit_check(match=match, user=request.user) is None:
        return redirect("matching:pair_detail", pk=match.pk)
    answer = request.GET.get("answer")
    form = FitCheckForm(request.POST or None, initial={"answer": answer} if answer else {})
    if request.method == "POST" and form.is_valid():
        try:
            fit_checks.fit_check_answer(match=match, member=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, FIT_CHECK_THANKS[form.cleaned_data["answer"]])
            return redirect("matching:pair_detail", pk=match.pk)
    return render(
        request, "matching/fit_check.html", {"form": form, "match": match, "partner": match.partner_of(request.user)}
    )


FIT_CHECK_THANKS = {
    FitCheck.Answer.GOOD: gettext_lazy("Thank you! Good to hear it fits."),
    FitCheck.Answer.DOUBT: gettext_lazy("Thank you for being honest. We will ask again after your next meeting."),
    FitCheck.Answer.NO: gettext_lazy(
        "Thank you for letting us know. The coordinators will contact you; your partner does not see your answer."
    ),
}


@login_required
@require_POST
def confirm_trust(request, pk):
    match = selectors.pair_for_user(user=request.user, pk=pk)
    try:
        agreements.agreement_confirm_trust(match=match, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: you confirmed that what is shared between you stays confidential."))
    return redirect("matching:pair_detail", pk=match.pk)


@login_required
def renewal(request, pk):
    """R5: each partner answers whether she wants to continue for another term."""
    match = selectors.pair_for_user(user=request.user, pk=pk, reads=selectors.AGREEMENT_PAGE_READS)
    # The renewal e-mail links here with ?answer=yes or ?answer=no: preselect it, she still confirms with a POST.
    answer = request.GET.get("answer")
    initial = {"wants_to_continue": answer} if answer in ("yes", "no") else {}
    form = RenewalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            renewal_services.renewal_answer_record(
                match=match, member=request.user, wants_to_continue=form.cleaned_data["wants_to_continue"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            new_term = selectors.next_term(match=match)
            if new_term is not None:
                messages.success(request, _("You both want to continue: your new term has started."))
                return redirect("matching:pair_detail", pk=new_term.pk)
            messages.success(request, _("Thank you, your answer has been saved."))
            return redirect("matching:pair_detail", pk=match.pk)
    context = _pair_context(request, match)
    context["form"] = form
    return render(request, "matching/renewal.html", context)
