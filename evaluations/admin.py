"""Coordinators' screens: rounds and questions, who was invited, and thresholded results.

Responses are deliberately not registered: nobody reads an individual response here (R14).
"""

import csv
import io

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin
from core.mfa import sensitive_coordinator_action

from . import selectors, services
from .models import EvaluationRound, Invitation, Question, round_has_answers


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("order", "kind", "asked_of", "required"),
        "text",
        "text_en",
        ("scale_low", "scale_high"),
        ("scale_low_en", "scale_high_en"),
        ("options", "options_en"),
    ]

    # Once answers came in, changing a question would change what those answers mean. The rule
    # itself is Question.refuse_if_answered(); here it only hides the editing controls. Django asks
    # these permissions many times per page, so the answer is kept on the request (never on self:
    # one admin instance serves every request).
    @staticmethod
    def _has_responses(request, obj) -> bool:
        if obj is None or obj.pk is None:
            return False
        answered = request.__dict__.setdefault("_evaluation_rounds_answered", {})
        if obj.pk not in answered:
            answered[obj.pk] = round_has_answers(obj.pk)
        return answered[obj.pk]

    def has_add_permission(self, request, obj=None):
        return not self._has_responses(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._has_responses(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._has_responses(request, obj) and super().has_delete_permission(request, obj)


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(admin.ModelAdmin):
    # Issue 28 §4: kind and audience are filters and on the change page.
    list_display = ["name", "cycle", "opens_on", "closes_on", "response_rate", "results_link"]
    list_filter = ["cycle", "kind", "audience"]
    search_fields = ["name", "cycle__name"]
    date_hierarchy = "opens_on"
    readonly_fields = ["results_link"]
    fields = ["cycle", "name", "kind", "audience", ("opens_on", "closes_on"), "results_link"]
    inlines = [QuestionInline]
    actions = ["add_default_questions", "create_invitations"]

    @admin.display(description=_("response rate"))
    def response_rate(self, obj):
        rates = selectors.response_rates(round=obj)
        total = rates[-1]
        return f"{total.submitted} / {total.invited}"

    @admin.display(description=_("results"))
    def results_link(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:evaluations_evaluationround_results", args=[obj.pk]),
            _("View results"),
        )

    @admin.action(description=_("Add the default questions (rounds without questions)"))
    def add_default_questions(self, request, queryset):
        added = sum(1 for evaluation_round in queryset if services.round_add_default_questions(round=evaluation_round))
        self.message_user(
            request,
            ngettext(
                "Default questions added to %(count)d round.", "Default questions added to %(count)d rounds.", added
            )
            % {"count": added},
            messages.SUCCESS,
        )

    @admin.action(description=_("Invite the participants (create missing invitations)"))
    def create_invitations(self, request, queryset):
        created = sum(services.invitations_ensure(round=evaluation_round) for evaluation_round in queryset)
        self.message_user(
            request,
            ngettext("%(count)d invitation created.", "%(count)d invitations created.", created) % {"count": created},
            messages.SUCCESS,
        )

    def get_urls(self):
        own = [
            path(
                "<int:pk>/resultaten/",
                self.admin_site.admin_view(self.results_view),
                name="evaluations_evaluationround_results",
            ),
            path(
                "<int:pk>/resultaten.csv",
                self.admin_site.admin_view(self.results_csv_view),
                name="evaluations_evaluationround_results_csv",
            ),
        ]
        return own + super().get_urls()

    def _round_or_404(self, request, pk) -> EvaluationRound:
        evaluation_round = EvaluationRound.objects.select_related("cycle").filter(pk=pk).first()
        if evaluation_round is None:
            raise Http404
        if not self.has_view_permission(request, evaluation_round):
            raise PermissionDenied
        return evaluation_round

    def results_view(self, request, pk):
        evaluation_round = self._round_or_404(request, pk)
        results = selectors.round_results(round=evaluation_round)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Results: %(round)s") % {"round": evaluation_round},
            "original": evaluation_round,
            "results": results,
            "today": timezone.localdate(),
        }
        return render(request, "evaluations/admin_results.html", context)

    @sensitive_coordinator_action  # results leave the site: confirm who she is first
    def results_csv_view(self, request, pk):
        evaluation_round = self._round_or_404(request, pk)
        results = selectors.round_results(round=evaluation_round)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"evaluatie-{evaluation_round.pk}-resultaten.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        # Written to memory first, then to the response in one go: thousands of small writes
        # to an HttpResponse cost more than building the whole file.
        buffer = io.StringIO()
        buffer.write("\ufeff")  # so spreadsheet programs read the accents correctly
        csv.writer(buffer, delimiter=";").writerows(selectors.results_csv_rows(results))
        response.write(buffer.getvalue())
        return response


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who was invited and whether she submitted: the response rate, never the answers."""

    list_display = ["user", "role", "round", "submitted"]
    list_filter = ["round", "role"]
    search_fields = ["user__full_name", "user__email"]
    # The token is her personal link: not for anyone else's eyes.
    fields = ["round", "user", "role", "created_at"]
    readonly_fields = fields

    @admin.display(boolean=True, description=_("submitted"))
    def submitted(self, obj):
        return hasattr(obj, "receipt")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "round", "round__cycle", "receipt")
