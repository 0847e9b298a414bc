"""The coordinators' side of members' data rights, mixed into the member (profile) admin.

- per member: when she last took part and from when retention erases her;
- erasure at a member's request (she asked by e-mail): a page that says what happens,
  behind allauth's reauthentication and the ``accounts.erase_member`` permission.
"""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import is_coordinator

from . import data_rights, retention
from .models import Profile

ERASE_PERMISSION = "accounts.erase_member"


class DataRightsAdminMixin:
    def get_queryset(self, request):
        return retention.with_last_participation(super().get_queryset(request), user_path="user")

    def get_list_display(self, request):
        return [*super().get_list_display(request), "last_took_part", "retention_erases_from"]

    @admin.display(description=gettext_lazy("last took part"), ordering="last_participation")
    def last_took_part(self, profile):
        return getattr(profile, "last_participation", None)

    @admin.display(description=gettext_lazy("erased by retention from"), ordering="last_participation")
    def retention_erases_from(self, profile):
        last = getattr(profile, "last_participation", None)
        if last is None or is_coordinator(profile.user):
            return None
        return retention.erase_after(last)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "last_took_part", "retention_erases_from"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        fieldsets.append((gettext_lazy("Retention"), {"fields": ("last_took_part", "retention_erases_from")}))
        return fieldsets

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.has_perm(ERASE_PERMISSION):
            action = type(self).erase_at_her_request
            actions["erase_at_her_request"] = (action, "erase_at_her_request", action.short_description)
        return actions

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/verwijderen/",
                self.admin_site.admin_view(reauthentication_required(self.erase_view)),
                name="accounts_profile_erase",
            )
        ]
        return urls + super().get_urls()

    def erase_at_her_request(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one member to erase."), messages.WARNING)
            return None
        return redirect("admin:accounts_profile_erase", queryset.get().pk)

    erase_at_her_request.short_description = gettext_lazy("Erase the selected member at her request…")

    def erase_view(self, request, object_id):
        if not request.user.has_perm(ERASE_PERMISSION):
            raise PermissionDenied
        profile = get_object_or_404(Profile.objects.select_related("user"), pk=object_id)
        member = profile.user
        if is_coordinator(member) or member.is_superuser or member.pk == request.user.pk:
            self.message_user(
                request,
                _("A coordinator's account is not erased here: first end her coordinator role."),
                messages.ERROR,
            )
            return redirect("admin:accounts_profile_change", profile.pk)
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            name = str(member)
            data_rights.member_erase(member=member, by=request.user)
            self.message_user(
                request,
                _("%(name)s and her personal data have been erased. Her line in the member list stays.")
                % {"name": name},
                messages.SUCCESS,
            )
            return redirect("admin:accounts_profile_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": profile,
            "profile": profile,
            "contact_email": settings.PROGRAMME_CONTACT_EMAIL,
            "today": timezone.localdate(),
            "title": _("Erase %(name)s at her request") % {"name": member},
        }
        return TemplateResponse(request, "accounts/admin/profile_erase.html", context)
