"""Coordinator screens: cycles with their matching screen and optimal proposal, applications, matches.

The admin stays thin: every write goes through `matching.services`. Pairs' agreements and
renewal answers are not registered here: that is the pair's own business (R11).
"""

import numpy as np
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mentorprogramma.forms import add_service_error

from . import scoring, selectors, services
from .models import Application, Cycle, FirmGroup, FitCheck, Match

SUGGESTIONS_PER_MENTEE = 3
# Mentor choices per mentee on the proposal screen: the best ones keep the page light for a big cycle.
OPTIONS_PER_MENTEE = 15


class EndEarlyForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


def _best_columns(table, row: int, count: int) -> list[int]:
    """The allowed mentors with the highest scores for one mentee, best first."""
    allowed = np.flatnonzero(table.allowed[row])
    order = np.argsort(-table.scores[row, allowed], kind="stable")[:count]
    return [int(column) for column in allowed[order]]


def _not_offered_for_organisation(mentors, mentee) -> list[dict]:
    """Mentors with a free place who are left out because of where they work, and why."""
    return [
        {"mentor": mentor, "reason": reason}
        for mentor in mentors
        if mentor.free_places > 0 and (reason := scoring.organisation_conflict(mentor, mentee))
    ]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "applications_open", "applications_close", "planned_start", "matching_link"]
    list_filter = ["status"]

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
            **extra,
        }

    def matching_view(self, request, cycle_id):
        """Unmatched mentees with their best suggestions and reasons, and the mentors' free places."""
        cycle = self._cycle(request, cycle_id)
        mentors, mentees, topic_names = selectors.cycle_candidates(cycle=cycle)
        table = scoring.score_table(mentors, mentees)
        rows = []
        for index, mentee in enumerate(mentees):
            if mentee.has_live_match:
                continue
            best = _best_columns(table, index, SUGGESTIONS_PER_MENTEE)
            rows.append(
                {
                    "mentee": mentee,
                    "eligible": mentee.eligible,
                    "suggestions": [scoring.explain(mentors[column], mentee, topic_names) for column in best],
                    "not_offered": _not_offered_for_organisation(mentors, mentee),
                }
            )
        applications = Application.objects.in_bulk([row["mentee"].application_id for row in rows])
        for row in rows:
            row["application"] = applications[row["mentee"].application_id]
        # Issue 15 §3: a mentee whose pair ended early is back here with her application, marked as such.
        rematch = set(
            Match.objects.filter(cycle=cycle, status=Match.Status.ENDED_EARLY).values_list("mentee_id", flat=True)
        )
        for row in rows:
            row["rematch"] = row["application"].member_id in rematch
        context = self._context(
            request,
            cycle,
            rows=rows,
            mentors=mentors,
            matched_count=sum(1 for mentee in mentees if mentee.has_live_match),
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
                    _("Matching for %(cycle)s is closed. %(count)s members without a pair receive an e-mail.")
                    % {"cycle": cycle, "count": len(left)},
                )
        return redirect("admin:matching_cycle_matching", cycle.pk)

    def match_view(self, request, cycle_id):
        """One-click match from a suggestion (POST only)."""
        cycle = self._cycle(request, cycle_id, write=True)
        if request.method != "POST":
            return redirect("admin:matching_cycle_matching", cycle.pk)
        mentor_application = Application.objects.filter(cycle=cycle, pk=_int(request.POST.get("mentor"))).first()
        mentee_application = Application.objects.filter(cycle=cycle, pk=_int(request.POST.get("mentee"))).first()
        if not mentor_application or not mentee_application:
            messages.error(request, _("Choose a mentor and a mentee from this cycle."))
            return redirect("admin:matching_cycle_matching", cycle.pk)
        try:
            match = services.match_confirm(
                mentor_application=mentor_application,
                mentee_application=mentee_application,
                by=request.user,
                before_window_closes=request.POST.get("before_window_closes") == "on",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(mentee)s is matched with %(mentor)s. The mentee receives her mentor's contact details.")
                % {"mentee": match.mentee, "mentor": match.mentor},
            )
        url = reverse("admin:matching_cycle_matching", args=[cycle.pk])
        return redirect(url + ("?early=1" if request.POST.get("before_window_closes") == "on" else ""))

    def proposal_view(self, request, cycle_id):
        """The "stel optimale matching voor" screen: compute, review and edit, then confirm; nothing is saved before."""
        cycle = self._cycle(request, cycle_id, write=request.method == "POST")
        mentors, mentees, topic_names = selectors.cycle_candidates(cycle=cycle)
        table = scoring.score_table(mentors, mentees)
        optimal = scoring.optimal_assignment(table)
        greedy = scoring.greedy_assignment(table)
        proposed = dict(optimal)  # mentee index -> mentor index
        mentor_index = {mentor.application_id: column for column, mentor in enumerate(mentors)}
        error = None
        chosen = {row: (mentors[column].application_id, True) for row, column in proposed.items()}

        if request.method == "POST":
            chosen = {}
            pairs = []
            for row, mentee in enumerate(mentees):
                mentor_id = _int(request.POST.get(f"mentor_{mentee.application_id}"))
                include = request.POST.get(f"include_{mentee.application_id}") == "on"
                if mentor_id in mentor_index:
                    chosen[row] = (mentor_id, include)
                    if include:
                        pairs.append((mentor_id, mentee.application_id))
            try:
                matches = services.proposal_confirm(
                    cycle=cycle,
                    pairs=pairs,
                    by=request.user,
                    before_window_closes=request.POST.get("before_window_closes") == "on",
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(
                    request,
                    ngettext("%(count)s pair confirmed.", "%(count)s pairs confirmed.", len(matches))
                    % {"count": len(matches)},
                )
                return redirect("admin:matching_cycle_matching", cycle.pk)

        rows = []
        for row, mentee in enumerate(mentees):
            if mentee.has_live_match or not mentee.eligible:
                continue
            selected_id, include = chosen.get(row, (None, False))
            columns = _best_columns(table, row, OPTIONS_PER_MENTEE)
            if selected_id in mentor_index and mentor_index[selected_id] not in columns:
                columns.append(mentor_index[selected_id])
            options = [{"mentor": mentors[column], "score": table.score_of(row, column)} for column in columns]
            selected = mentors[mentor_index[selected_id]] if selected_id in mentor_index else None
            rows.append(
                {
                    "mentee": mentee,
                    "options": options,
                    "selected_id": selected_id,
                    "include": include,
                    "explanation": scoring.explain(selected, mentee, topic_names) if selected else None,
                    "not_offered": _not_offered_for_organisation(mentors, mentee),
                }
            )
        context = self._context(
            request,
            cycle,
            title=_("Optimal matching proposal for %(cycle)s") % {"cycle": cycle},
            rows=rows,
            error=error,
            optimal_count=len(optimal),
            optimal_total=scoring.total_score(table, optimal),
            greedy_count=len(greedy),
            greedy_total=scoring.total_score(table, greedy),
        )
        return TemplateResponse(request, "admin/matching/cycle/proposal.html", context)


@admin.register(FirmGroup)
class FirmGroupAdmin(admin.ModelAdmin):
    """The conflict-of-interest register: a firm and the names it goes by (matching/organisations.py)."""

    list_display = ["name", "variant_summary", "updated_at"]
    search_fields = ["name", "variants"]
    fields = ["name", "variants"]

    @admin.display(description=_("name variants"))
    def variant_summary(self, group):
        return ", ".join(group.variant_list()[1:])


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["member", "role", "cycle", "status", "capacity", "created_at"]
    list_filter = ["cycle", "role", "status"]
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
        "availability",
        "created_at",
        "updated_at",
    ]
    # Read-only: members apply, edit and withdraw themselves through the services, so eligibility
    # (R2, R3) is always checked and withdrawing a matched application ends its match (R6).
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "cycle", "term", "status", "start_date", "planned_end", "renewal"]
    list_filter = ["cycle", "status", "term"]
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
        "end_reason",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields

    def get_urls(self):
        urls = [
            path(
                "<int:match_id>/beeindigen/",
                self.admin_site.admin_view(self.end_early_view),
                name="matching_match_end_early",
            )
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "end_early_url": None}
        match = Match.objects.filter(pk=_int(object_id)).first()
        if match and services.match_may_become(match, Match.Status.ENDED_EARLY):
            extra_context["end_early_url"] = reverse("admin:matching_match_end_early", args=[match.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def end_early_view(self, request, match_id):
        """A coordinator ends a pair early, with the reason (R6); the pair's content stays out of sight."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        match = get_object_or_404(Match, pk=match_id)
        form = EndEarlyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.match_end_early(match=match, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_error(form, error, fields={"end_reason": "reason"})
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

    @admin.display(description=gettext_lazy("renewal"))
    def renewal(self, match):
        # R5 without saying who answered what: only the joint outcome.
        if not match.is_active or not selectors.renewal_due(match=match):
            return "–"
        return {
            "agreed": _("both want to continue"),
            "declined": _("not continuing"),
            "open": _("waiting for answers"),
        }[selectors.renewal_outcome(match=match)]

    @admin.action(description=gettext_lazy("Complete the selected mentorships"), permissions=["change"])
    def complete_matches(self, request, queryset):
        self._apply(request, queryset, lambda match: services.match_complete(match=match, by=request.user))

    @admin.action(description=gettext_lazy("Start a new term (both want to continue)"), permissions=["change"])
    def renew_matches(self, request, queryset):
        self._apply(request, queryset, lambda match: services.match_renew(match=match, by=request.user))

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

    list_display = ["match", "member", "round", "answer", "answered_at"]
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
