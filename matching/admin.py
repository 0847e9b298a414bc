"""Coordinator screens: cycles with their matching screen and optimal proposal, applications, matches.

The admin stays thin: every write goes through `matching.services`. Pairs' agreements and
renewal answers are not registered here: that is the pair's own business (R11).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Region
from core.admin import LargeChangeListMixin
from core.forms import add_service_error
from core.mfa import sensitive_coordinator_action

from . import cycle_dates, koppelscherm, pair_memory, places, proposals, renewal, selectors, services, solver
from .forms import CoordinatorPlacesForm, EndCategoryField
from .models import Application, Cycle, FirmGroup, FitCheck, Match, PairOverride, RenewalAnswer, Role


class EndEarlyForm(forms.Form):
    category = EndCategoryField()
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CycleForm(forms.ModelForm):
    """Issue 25 §9: a new start date or duration after matching must fit the cycle's pairs, or it is refused here."""

    class Meta:
        model = Cycle
        fields = ["name", "applications_open", "applications_close", "planned_start", "duration_months", "status"]

    def clean(self):
        cleaned = super().clean()
        start, duration = cleaned.get("planned_start"), cleaned.get("duration_months")
        if self.instance.pk and start and duration:
            cycle_dates.cycle_dates_plan(cycle=self.instance, planned_start=start, duration_months=duration)
        return cleaned


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "applications_open", "applications_close", "planned_start", "matching_link"]
    list_filter = ["status"]
    form = CycleForm
    # Recorded, not typed: when the cycle was made and when matching was closed (through "Close matching"),
    # so the form has no unlabelled date/time pairs for them either.
    readonly_fields = ["matching_closed_at", "created_at"]

    def save_model(self, request, obj, form, change):
        """Through the service: the pairs' dates follow a new start or duration, and both partners are told."""
        moved = cycle_dates.cycle_save(cycle=obj, by=request.user)
        if moved:
            messages.info(
                request,
                ngettext(
                    "%(count)s pair has new dates; both partners get an e-mail.",
                    "%(count)s pairs have new dates; both partners get an e-mail.",
                    len(moved),
                )
                % {"count": len(moved)},
            )

    @admin.display(description=gettext_lazy("matching"))
    def matching_link(self, cycle):
        url = reverse("admin:matching_cycle_matching", args=[cycle.pk])
        return format_html('<a href="{}">{}</a>', url, _("Matching screen"))

    def get_urls(self):
        urls = [
            path(
                "<int:cycle_id>/matching/",
                self.admin_site.admin_view(self.matching_view),
                name="matching_cycle_matching",
            ),
            path(
                "<int:cycle_id>/matching/koppel/",
                self.admin_site.admin_view(self.match_view),
                name="matching_cycle_match",
            ),
            path(
                "<int:cycle_id>/matching/voorstel/",
                self.admin_site.admin_view(self.proposal_view),
                name="matching_cycle_proposal",
            ),
            path(
                "<int:cycle_id>/matching/afsluiten/",
                self.admin_site.admin_view(self.close_matching_view),
                name="matching_cycle_close_matching",
            ),
        ]
        return urls + super().get_urls()

    def _cycle(self, request, cycle_id, *, write=False):
        allowed = request.user.has_perm("matching.add_match") if write else self.has_view_permission(request)
        if not allowed:
            raise PermissionDenied
        return get_object_or_404(Cycle, pk=cycle_id)

    def _context(self, request, cycle, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "cycle": cycle,
            "title": _("Matching for %(cycle)s") % {"cycle": cycle},
            "matchable": cycle.status in services.MATCHABLE_CYCLE_STATUSES,
            # Applications still open: she matches only when she says she wants to (issue 15 §1).
            "window_open": selectors.application_window_open(cycle=cycle),
            "match_early": request.GET.get("early") == "1",
            # Issue 25 §3: a confirmed pair first asks the mentor; the confirmation pages say so.
            "mentor_accepts": services.mentor_accepts_first(),
            **extra,
        }

    def matching_view(self, request, cycle_id):
        """The Koppelscherm: a page of mentees with their best suggestions and reasons, filtered.

        The read model is ``koppelscherm.matching_page`` (from the cycle's cached candidate set):
        this view reads the filters from the request and renders it.
        """
        cycle = self._cycle(request, cycle_id)
        topic = _int(request.GET.get("onderwerp"))
        region = request.GET.get("regio", "")
        region = region if region in Region.values else ""
        # Unmatched only unless the coordinator unticks it (the form then sends ongekoppeld=0).
        unmatched_only = request.GET.get("ongekoppeld", "1") != "0"
        screen = koppelscherm.matching_page(
            cycle=cycle, topic=topic, region=region, unmatched_only=unmatched_only, page_number=request.GET.get("p")
        )
        query = request.GET.copy()
        query.pop("p", None)
        context = self._context(
            request,
            cycle,
            rows=screen.rows,
            page=screen.page,
            candidates=screen.candidates,
            query=query.urlencode(),
            topics=screen.topics,
            regions=Region.choices,
            chosen_topic=topic,
            chosen_region=region,
            unmatched_only=unmatched_only,
            mentors_url=reverse("admin:matching_application_changelist")
            + f"?cycle__id__exact={cycle.pk}&role__exact=mentor",
            fit_concerns=selectors.fit_concerns().filter(cycle=cycle),
        )
        return TemplateResponse(request, "admin/matching/cycle/matching.html", context)

    def close_matching_view(self, request, cycle_id):
        """Issue 15 §5: close matching (POST only); whoever has no pair gets a kind e-mail."""
        cycle = self._cycle(request, cycle_id, write=True)
        if request.method == "POST":
            try:
                left = services.cycle_matching_close(cycle=cycle, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Matching for %(cycle)s is closed. %(count)s member without a pair receives an e-mail.",
                        "Matching for %(cycle)s is closed. %(count)s members without a pair receive an e-mail.",
                        len(left),
                    )
                    % {"cycle": cycle, "count": len(left)},
                )
        return redirect("admin:matching_cycle_matching", cycle.pk)

    def match_view(self, request, cycle_id):
        """Koppelen from a suggestion, in two steps (issue 28 §4).

        The Koppelscherm's button asks (GET) for the confirmation page, which never makes a pair; its
        "Bevestigen" posts here and makes it. The success message offers the undo, for an hour.
        """
        cycle = self._cycle(request, cycle_id, write=True)
        data = request.POST if request.method == "POST" else request.GET
        early = data.get("before_window_closes") == "on"
        back = reverse("admin:matching_cycle_matching", args=[cycle.pk]) + ("?early=1" if early else "")
        if request.method != "POST" and not data:
            return redirect(back)
        mentor_application = Application.objects.filter(cycle=cycle, pk=_int(data.get("mentor"))).first()
        mentee_application = Application.objects.filter(cycle=cycle, pk=_int(data.get("mentee"))).first()
        if not mentor_application or not mentee_application:
            messages.error(request, _("Choose a mentor and a mentee from this cycle."))
            return redirect(back)
        if request.method != "POST":
            names = {"mentee": mentee_application.member, "mentor": mentor_application.member}
            context = self._context(
                request,
                cycle,
                title=_("Match %(mentee)s with %(mentor)s?") % names,
                mentor_application=mentor_application,
                mentee_application=mentee_application,
                early=early,
                back_url=back,
                undo_minutes=int(services.UNDO_WINDOW.total_seconds() // 60),
            )
            return TemplateResponse(request, "admin/matching/cycle/match_confirm.html", context)
        try:
            match = services.match_confirm(
                mentor_application=mentor_application,
                mentee_application=mentee_application,
                by=request.user,
                before_window_closes=early,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            names = {"mentee": match.mentee, "mentor": match.mentor}
            if match.is_awaiting_mentor:  # issue 25 §3: the mentor agrees first (the undo is for matched pairs)
                messages.success(
                    request,
                    _(
                        "%(mentor)s is asked to be the mentor of %(mentee)s. The mentee receives her mentor's "
                        "contact details once the mentor says yes."
                    )
                    % names,
                )
            else:
                messages.success(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _("%(mentee)s is matched with %(mentor)s. The mentee receives her mentor's contact details.")
                        % names,
                        reverse("admin:matching_match_undo", args=[match.pk]),
                        _("Undo this pair (possible up to an hour after confirming)"),
                    ),
                )
        return redirect(back)

    def proposal_view(self, request, cycle_id):
        """ "Stel optimale matching voor": start the background job, follow it, review and edit, then confirm.

        The proposal is computed by a Celery task and stored (MatchingProposal); this page only
        reads and edits the stored choices, 50 mentees a page, so it stays fast for any cycle.
        Nothing is matched before the coordinator confirms.
        """
        cycle = self._cycle(request, cycle_id, write=request.method == "POST")
        proposals.matching_proposals_fail_stuck(cycle=cycle)  # a job that died shows as failed
        proposal = selectors.matching_proposal_latest(cycle=cycle)
        error = None
        if request.method == "POST":
            action = request.POST.get("action", "confirm")
            try:
                if action == "start":
                    proposals.matching_proposal_start(cycle=cycle, by=request.user)
                    return redirect("admin:matching_cycle_proposal", cycle.pk)
                if proposal is None:
                    raise ValidationError(_("Compute a proposal first."))
                proposals.matching_proposal_edit(proposal=proposal, choices=self._posted_choices(request, proposal))
                if action == "review":
                    # The page's "Bevestig alle ..." first asks for the confirmation (issue 28 §4).
                    return self._proposal_confirm_page(request, cycle, proposal)
                if action == "confirm":
                    matches = proposals.matching_proposal_confirm(
                        proposal=proposal,
                        by=request.user,
                        before_window_closes=request.POST.get("before_window_closes") == "on",
                    )
                    messages.success(
                        request,
                        ngettext("%(count)s pair confirmed.", "%(count)s pairs confirmed.", len(matches))
                        % {"count": len(matches)},
                    )
                    return redirect("admin:matching_cycle_matching", cycle.pk)
                messages.success(request, _("Your changes to the proposal have been saved."))
                return redirect(request.get_full_path())
            except ValidationError as exc:
                error = " ".join(exc.messages)
            proposal = selectors.matching_proposal_latest(cycle=cycle)

        context = self._context(
            request,
            cycle,
            title=_("Optimal matching proposal for %(cycle)s") % {"cycle": cycle},
            proposal=proposal,
            error=error,
            stale=bool(proposal and proposal.status == proposal.Status.READY)
            and selectors.matching_proposal_is_stale(proposal=proposal),
            candidates_per_person=solver.CANDIDATES_PER_PERSON,
        )
        if proposal is not None and proposal.status == proposal.Status.READY:
            context.update(koppelscherm.proposal_page(cycle=cycle, proposal=proposal, page_number=request.GET.get("p")))
        return TemplateResponse(request, "admin/matching/cycle/proposal.html", context)

    def _proposal_confirm_page(self, request, cycle, proposal):
        proposal.refresh_from_db()
        count = proposal.included_pair_count
        context = self._context(
            request,
            cycle,
            title=ngettext(
                "Confirm %(count)s pair of the proposal?", "Confirm all %(count)s pairs of the proposal?", count
            )
            % {"count": count},
            count=count,
            early=request.POST.get("before_window_closes") == "on",
            back_url=request.get_full_path(),
        )
        return TemplateResponse(request, "admin/matching/cycle/proposal_confirm.html", context)

    @staticmethod
    def _posted_choices(request, proposal) -> dict[int, tuple[int | None, bool]]:
        """The rows of the page that was posted: mentor_<mentee id> and include_<mentee id>."""
        choices = {}
        for key in request.POST:
            if not key.startswith("mentor_"):
                continue
            mentee_id = _int(key.removeprefix("mentor_"))
            if mentee_id is None or str(mentee_id) not in proposal.choices:
                continue
            choices[mentee_id] = (_int(request.POST.get(key)), request.POST.get(f"include_{mentee_id}") == "on")
        return choices


@admin.register(FirmGroup)
class FirmGroupAdmin(admin.ModelAdmin):
    """The conflict-of-interest register: a firm and the names it goes by (matching/organisations.py)."""

    list_display = ["name", "variant_summary", "updated_at"]
    search_fields = ["name", "variants"]
    fields = ["name", "variants"]

    @admin.display(description=_("name variants"))
    def variant_summary(self, group):
        return ", ".join(group.variant_list()[1:])


class PairOverrideForm(forms.ModelForm):
    """Issue 25 §5: choose the earlier pair that ended early or did not fit, and say why it may be made again."""

    pair = forms.ModelChoiceField(
        label=gettext_lazy("Earlier pair"),
        queryset=Match.objects.none(),
        help_text=gettext_lazy("Pairs that ended early, or where either answered “does it fit?” with no."),
    )

    class Meta:
        model = PairOverride
        fields = ["reason"]
        help_texts = {"reason": gettext_lazy("The matching screen shows it beside the mentee.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].queryset = (
            Match.objects.filter(selectors.did_not_work_out())
            .select_related("mentor", "mentee", "cycle")
            .order_by("-pk")
        )
        self.order_fields(["pair", "reason"])

    def clean(self):
        cleaned = super().clean()
        pair = cleaned.get("pair")
        if pair is not None:
            pair_memory.pair_override_check(mentor=pair.mentor, mentee=pair.mentee, reason=cleaned.get("reason", ""))
        return cleaned


@admin.register(PairOverride)
class PairOverrideAdmin(admin.ModelAdmin):
    """Pairs allowed again despite an earlier pair (issue 25 §5): added with a reason, never edited."""

    list_display = ["mentor", "mentee", "reason", "created_by", "created_at"]
    search_fields = ["mentor__full_name", "mentee__full_name"]
    list_select_related = ["mentor", "mentee", "created_by"]
    form = PairOverrideForm
    readonly_fields = ["mentor", "mentee", "reason", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        return ["pair", "reason"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pair = form.cleaned_data["pair"]
        saved = pair_memory.pair_override_add(
            mentor=pair.mentor, mentee=pair.mentee, reason=form.cleaned_data["reason"], by=request.user
        )
        for name in ("pk", "mentor", "mentee", "reason", "created_by", "created_at"):
            setattr(obj, name, getattr(saved, name))  # the admin's history and redirect read them


class WaitingListFilter(admin.SimpleListFilter):
    """Issue 25 §8: the mentees not matched in their cycle once its matching is over (the cockpit links here)."""

    title = gettext_lazy("waiting list")
    parameter_name = "wachtlijst"

    def lookups(self, request, model_admin):
        return [("1", gettext_lazy("on the waiting list"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(pk__in=selectors.waiting_list().values("pk"))
        return queryset


@admin.register(Application)
class ApplicationAdmin(LargeChangeListMixin, admin.ModelAdmin):
    # Issue 28 §4: the columns coordinators scan; the rest is on the change page.
    list_display = ["member", "role", "cycle", "status"]
    list_filter = ["cycle", "role", "status", WaitingListFilter]
    search_fields = ["member__full_name", "member__email"]
    fields = [
        "cycle",
        "member",
        "role",
        "status",
        "mentoring_question",
        "topics",
        "meeting_preference",
        "prefers_same_region",
        "allow_same_organisation",
        "avoid_organisations",
        "capacity",
        "paused",
        "availability",
        "carried_from",
        "created_at",
        "updated_at",
    ]
    # Read-only: members apply, edit and withdraw themselves through the services, so eligibility
    # (R2, R3) is always checked and withdrawing a matched application ends its match (R6).
    # A mentor's places and pause are changed through "Change places or pause", with a reason.
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        urls = [
            path(
                "<int:application_id>/plekken/",
                self.admin_site.admin_view(self.places_view),
                name="matching_application_places",
            )
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "places_url": None}
        application = Application.objects.filter(pk=_int(object_id)).first()
        if application and application.role == Role.MENTOR and application.status == Application.Status.SUBMITTED:
            extra_context["places_url"] = reverse("admin:matching_application_places", args=[application.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def places_view(self, request, application_id):
        """Issue 25 §4: a coordinator changes a mentor's places or pause, with a reason that is logged."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        application = get_object_or_404(Application, pk=application_id, role=Role.MENTOR)
        initial = {"capacity": application.capacity, "paused": application.paused}
        form = CoordinatorPlacesForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                places.mentor_places_set(application=application, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("The places of %(member)s have been saved.") % {"member": application.member}
                )
                return redirect("admin:matching_application_change", application.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": application,
            "title": _("Change places or pause"),
            "form": form,
            "live": selectors.live_matches_for_application(application=application).count(),
        }
        return TemplateResponse(request, "admin/matching/application/places.html", context)


@admin.register(Match)
class MatchAdmin(LargeChangeListMixin, admin.ModelAdmin):
    # Issue 28 §4: the columns coordinators scan (cycle and term are filters; the rest is on the change page).
    list_display = ["mentor", "mentee", "status", "start_date", "renewal"]
    list_filter = ["cycle", "status", "term"]
    # The cockpit's "renewed" figure counts every later term (2, 3, ...): its link lists them all.
    extra_lookups = tuple(Match.RENEWED_TERM_LOOKUP)
    search_fields = ["mentor__full_name", "mentee__full_name"]
    actions = ["complete_matches", "renew_matches"]
    fields = [
        "cycle",
        "mentor",
        "mentee",
        "term",
        "previous_term",
        "status",
        "start_date",
        "planned_end",
        "ended_on",
        "ended_by",
        "end_category",
        "end_reason",
        "created_by",
        "created_at",
    ]
    readonly_fields = [*fields, "completed_on"]
    # Mentor and mentee may be empty (an erased partner), so Django would not join them by itself
    # and would read each row's partners one query at a time.
    list_select_related = ["cycle", "mentor", "mentee"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # The renewal column: whether a next term exists and the partners' answers, for the
            # whole page at once instead of two queries per active pair.
            .with_next_term()
            .prefetch_related(
                Prefetch(
                    "renewal_answers",
                    queryset=RenewalAnswer.objects.only("match_id", "member_id", "wants_to_continue"),
                    # A plain list: no related manager built per row.
                    to_attr="renewal_answer_list",
                )
            )
        )

    def get_urls(self):
        urls = [
            path(
                "<int:match_id>/beeindigen/",
                self.admin_site.admin_view(self.end_early_view),
                name="matching_match_end_early",
            ),
            path(
                "<int:match_id>/ongedaan-maken/",
                self.admin_site.admin_view(self.undo_view),
                name="matching_match_undo",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "end_early_url": None, "undo_url": None}
        match = Match.objects.filter(pk=_int(object_id)).first()
        if match and services.match_may_become(match, Match.Status.ENDED_EARLY):
            extra_context["end_early_url"] = reverse("admin:matching_match_end_early", args=[match.pk])
        if match and request.user.has_perm("matching.add_match") and not services.match_undo_refusal(match):
            extra_context["undo_url"] = reverse("admin:matching_match_undo", args=[match.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def undo_view(self, request, match_id):
        """Issue 28 §4: undo a pair within the hour after confirming it (the page asks first; POST undoes)."""
        if not request.user.has_perm("matching.add_match"):  # the right to make pairs is the right to undo one
            raise PermissionDenied
        match = get_object_or_404(Match.objects.select_related("cycle", "mentor", "mentee"), pk=match_id)
        refusal = services.match_undo_refusal(match)
        if request.method == "POST" and not refusal:
            try:
                undone = services.match_undo(match=match, by=request.user)
            except ValidationError as error:
                refusal = " ".join(error.messages)
            else:
                names = {"mentee": undone.mentee, "mentor": undone.mentor}
                if undone.correction_sent:
                    text = _(
                        "The pair %(mentee)s and %(mentor)s has been undone. An e-mail about it had already gone "
                        "out, so both receive a short correction."
                    )
                else:
                    text = _(
                        "The pair %(mentee)s and %(mentor)s has been undone before any e-mail about it went out: "
                        "nobody receives anything."
                    )
                messages.success(request, text % names)
                return redirect("admin:matching_cycle_matching", undone.cycle_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": match,
            "title": _("Undo the pair %(mentee)s and %(mentor)s?") % {"mentee": match.mentee, "mentor": match.mentor},
            "refusal": refusal,
        }
        return TemplateResponse(request, "admin/matching/match/undo.html", context)

    def end_early_view(self, request, match_id):
        """A coordinator ends a pair early, with the reason (R6); the pair's content stays out of sight."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        match = get_object_or_404(Match, pk=match_id)
        form = EndEarlyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.match_end_early(
                    match=match,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    category=form.cleaned_data["category"],
                )
            except ValidationError as error:
                add_service_error(form, error, fields={"end_reason": "reason", "end_category": "category"})
            else:
                messages.success(
                    request,
                    _("The mentorship has been ended early. %(mentee)s can be matched again on this screen.")
                    % {"mentee": match.mentee},
                )
                # Issue 15 §3: straight on to a new match for her, on the cycle's matching screen.
                return redirect("admin:matching_cycle_matching", match.cycle_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": match,
            "title": _("End mentorship early"),
            "form": form,
        }
        return TemplateResponse(request, "admin/matching/match/end_early.html", context)

    def has_add_permission(self, request):
        # Pairs are made on a cycle's matching screen, where every hard rule is checked.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # "Ended on" only for a pair that ended early (issue 25 §6); a term that ran its course was completed.
    END_FIELDS = ("ended_on", "ended_by", "end_reason")

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None or obj.is_ended_early:
            return [name for name in fields if name != "completed_on"]
        at = fields.index("ended_on")
        fields = [name for name in fields if name not in (*self.END_FIELDS, "completed_on")]
        if obj.status == Match.Status.COMPLETED:
            fields.insert(at, "completed_on")
        return fields

    @admin.display(description=gettext_lazy("Completed on"))
    def completed_on(self, match):
        return date_format(match.ended_on, "j F Y") if match.ended_on else "–"

    @admin.display(description=gettext_lazy("renewal"))
    def renewal(self, match):
        # R5 without saying who answered what: only the joint outcome.
        if not match.is_active or not selectors.renewal_due(match=match):
            return "–"
        prefetched = getattr(match, "renewal_answer_list", None)  # from get_queryset
        answers = None if prefetched is None else {answer.member_id: answer.wants_to_continue for answer in prefetched}
        return {
            "agreed": _("both want to continue"),
            "declined": _("not continuing"),
            "open": _("waiting for answers"),
        }[selectors.renewal_outcome(match=match, answers=answers)]

    @admin.action(description=gettext_lazy("Complete the selected mentorships"), permissions=["change"])
    def complete_matches(self, request, queryset):
        self._apply(request, queryset, lambda match: services.match_complete(match=match, by=request.user))

    @admin.action(description=gettext_lazy("Start a new term (both want to continue)"), permissions=["change"])
    @sensitive_coordinator_action  # a new year of the pair: confirm who she is first
    def renew_matches(self, request, queryset):
        self._apply(request, queryset, lambda match: renewal.match_renew(match=match, by=request.user))

    def _apply(self, request, queryset, operation):
        done = 0
        for match in queryset:
            try:
                operation(match)
            except ValidationError as error:
                messages.error(request, f"{match}: {' '.join(error.messages)}")
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext("%(count)s mentorship updated.", "%(count)s mentorships updated.", done) % {"count": done},
            )


@admin.register(FitCheck)
class FitCheckAdmin(admin.ModelAdmin):
    """Issue 15 §3: the partners' private answers to "does it fit?", for the coordinators only (read-only)."""

    list_display = ["match", "member", "answer", "answered_at"]
    list_filter = ["answer", "match__cycle"]
    search_fields = ["match__mentor__full_name", "match__mentee__full_name"]
    fields = ["match", "member", "round", "asked_at", "answer", "note", "answered_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
