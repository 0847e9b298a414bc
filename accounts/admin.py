from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import LargeChangeListMixin, ReadOnlyAdminMixin
from core.forms import add_service_error
from core.mfa import sensitive_coordinator_action

from . import selectors, services
from .admin_data_rights import DataRightsAdminMixin
from .forms import MemberListImportForm, VerificationForm
from .member_list import HEADER_ALIASES, HEADER_SEARCH_ROWS, SKIP
from .models import Expertise, MemberListEntry, MemberListImport, MembershipType, Profile, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)

    def has_delete_permission(self, request, obj=None):
        # Erasure goes through accounts.data_rights.member_erase (the member admin's "Erase…"), which
        # first ends her pair and tells her partner; a bare delete would skip that.
        return False


@admin.register(Expertise)
class ExpertiseAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]


@admin.register(Profile)
class ProfileAdmin(LargeChangeListMixin, DataRightsAdminMixin, admin.ModelAdmin):
    """Coordinators verify members here. A member owns her profile, so its fields are read-only;
    phone and LinkedIn are left out altogether: only her partner sees them."""

    # The columns coordinators scan to verify (issue 28 §4: the list fits 1280 px); type, region and
    # roles are filters, everything else is on her change page. Searched fields stay shown (core.admin_site).
    list_display = [
        "member_name",
        "member_email",
        "membership_number",
        "organisation",
        "verification_status",
        "needs_review",
    ]
    list_filter = [
        "verification_status",
        "needs_review",
        "wants_mentee",
        "wants_mentor",
        "membership_type",
        "region",
        "expertise",
    ]
    # Organisation is searched rather than filtered: at 10,000 members the filter listed every
    # firm (hundreds of links) and read them all with a DISTINCT over the profiles on each page.
    search_fields = ["user__full_name", "user__email", "membership_number", "organisation"]
    list_select_related = ["user"]
    actions = ["verify_selected", "mark_reviewed"]
    fieldsets = (
        (
            _("Verification"),
            {
                "fields": (
                    "verification_status",
                    "verification_decision",
                    *services.VERIFICATION_FIELDS[1:],
                    "review_reason",
                )
            },
        ),
        (_("Member"), {"fields": ("user", *services.PROFILE_MEMBERSHIP_FIELDS)}),
        (
            _("Work and preferences"),
            {"fields": (*services.PROFILE_WORK_FIELDS, "expertise", *services.PROFILE_ROLE_FIELDS)},
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )
    # Every field is read-only: the member owns her profile, decisions go through "Verify or reject…".
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]

    @admin.display(description=_("why the member list does not verify her"))
    def review_reason(self, profile):
        # For coordinators only; the member herself just sees "awaiting verification" (13 §3).
        return selectors.member_list_review_reason(profile=profile) or "–"

    @admin.display(description=_("name"), ordering="user__full_name")
    def member_name(self, profile):
        return profile.user.full_name

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def member_email(self, profile):
        return profile.user.email

    @admin.display(description=_("verify or reject"))
    def verification_decision(self, profile):
        if profile.pk is None:
            return "—"
        url = reverse("admin:accounts_profile_verification", args=[profile.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Verify or reject…"))

    def has_add_permission(self, request):
        # Members create their own profile; coordinators verify it.
        return False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        if not queryset.query.where:
            # Unfiltered, the list holds every profile. Counting the list's own query would join
            # each profile's user (the retention annotation reads her dates) to count 10,000 rows;
            # the table alone gives the same number.
            paginator.count = Profile.objects.count()
        return paginator

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only here: decisions go through "Verify or reject…", so no save buttons.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/verificatie/",
                self.admin_site.admin_view(self.verification_view),
                name="accounts_profile_verification",
            )
        ]
        return urls + super().get_urls()

    def verification_view(self, request, object_id):
        profile = get_object_or_404(Profile.objects.select_related("user"), pk=object_id)
        if not self.has_change_permission(request, profile):
            raise PermissionDenied
        form = VerificationForm(request.POST) if request.method == "POST" else VerificationForm()
        if request.method == "POST" and form.is_valid():
            try:
                if form.cleaned_data["decision"] == "verify":
                    services.profile_verify(profile=profile, by=request.user)
                    self.message_user(request, _("%(name)s is verified.") % {"name": profile.user}, messages.SUCCESS)
                else:
                    services.profile_reject(profile=profile, by=request.user, reason=form.cleaned_data["reason"])
                    self.message_user(request, _("%(name)s is rejected.") % {"name": profile.user}, messages.SUCCESS)
            except ValidationError as error:
                add_service_error(form, error, fields={"verification_note": "reason"})
            else:
                return redirect("admin:accounts_profile_change", profile.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": profile,
            "profile": profile,
            "list_entry": selectors.member_list_entry_for(profile=profile),
            "review_reason": selectors.member_list_review_reason(profile=profile),
            "form": form,
            "title": _("Verify or reject %(name)s") % {"name": profile.user},
        }
        return TemplateResponse(request, "accounts/admin/profile_verification.html", context)

    @admin.action(description=_("Verify the selected members"), permissions=["change"])
    def verify_selected(self, request, queryset):
        count = len(services.profiles_verify(profiles=queryset.select_related("user"), by=request.user))
        self.message_user(
            request,
            ngettext("%(count)d member verified.", "%(count)d members verified.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as reviewed (keep as they are)"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        count = 0
        for profile in queryset.filter(needs_review=True):
            services.profile_mark_reviewed(profile=profile)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d member marked as reviewed.", "%(count)d members marked as reviewed.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(MemberListImport)
class MemberListImportAdmin(admin.ModelAdmin):
    """The history of member list imports; "add" is the import page itself."""

    fields = ["uploaded_at", "file_name", "uploaded_by", "row_count", "verified_count", "flagged_count"]
    list_display = ["uploaded_at", "file_name", "row_count", "verified_count", "flagged_count"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @sensitive_coordinator_action  # the whole member list: confirm who she is first
    def add_view(self, request, form_url="", extra_context=None):
        """Upload, see what would change (preview), decide on unknown membership types, confirm.

        The steps are ``services.member_list_upload`` and ``services.member_list_decide``: the uploaded
        file waits in the cache between preview and confirmation (MEMBER_LIST_PREVIEW_SECONDS, for this
        coordinator only); nothing is written before she confirms.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        form, step = MemberListImportForm(), None
        choices = services.member_list_type_choices(request.POST)
        if request.method == "POST" and request.POST.get("token"):
            step = services.member_list_decide(
                user=request.user,
                token=request.POST["token"],
                type_choices=choices,
                confirm=request.POST.get("action") == "confirm",
            )
            if step.stage == services.MemberListStage.EXPIRED:
                self.message_user(request, _("The preview has expired. Upload the file again."), messages.WARNING)
                return redirect("admin:accounts_memberlistimport_add")
            if step.stage == services.MemberListStage.IMPORTED:
                self.message_user(request, _imported_message(step.report), messages.SUCCESS)
                return redirect("admin:accounts_memberlistimport_changelist")
        elif request.method == "POST":
            form = MemberListImportForm(request.POST, request.FILES)
            if form.is_valid():
                step = services.member_list_upload(user=request.user, upload=form.cleaned_data["file"])
        report = step.report if step else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "token": step.token if step else "",
            "type_rows": selectors.member_list_type_rows(report=report, choices=choices) if report else [],
            "type_options": [
                (MembershipType.MEMBER, _("counts as lid")),
                (MembershipType.ASPIRANT, _("counts as aspirant-lid")),
                (SKIP, _("skip these lines")),
            ],
            "header_aliases": {column: sorted(aliases) for column, aliases in HEADER_ALIASES.items()},
            "header_search_rows": HEADER_SEARCH_ROWS,
            "title": _("Import the NOB member list"),
        }
        return TemplateResponse(request, "accounts/admin/member_list_import.html", context)


def _imported_message(report) -> str:
    return _("Member list imported: %(members)s, %(verified)s, %(flagged)s.") % {
        "members": ngettext("%(count)s member", "%(count)s members", report.row_count) % {"count": report.row_count},
        "verified": ngettext("%(count)s profile verified", "%(count)s profiles verified", len(report.verified))
        % {"count": len(report.verified)},
        "flagged": ngettext("%(count)s profile flagged", "%(count)s profiles flagged", len(report.flagged))
        % {"count": len(report.flagged)},
    }


@admin.register(MemberListEntry)
class MemberListEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The newest member list, to look up a number; it changes only through an import."""

    list_display = ["membership_number", "membership_type", "email"]
    list_filter = ["membership_type"]
    search_fields = ["membership_number", "email"]
