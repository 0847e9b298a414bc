"""The project's admin site: one privacy policy for every change list, and MFA for coordinators.

Django's admin accepts a lookup on any local field in the URL (`?phone__startswith=0612`) and
shows how many rows match, so a coordinator could read a hidden field one character at a time.
This site mixes `ChangeListPrivacyMixin` into every ModelAdmin it registers, ours and
third-party ones alike, so a new admin cannot forget it:

- a URL filter is allowed only when a `list_filter` or the `date_hierarchy` produces it
  (or the admin names it in `extra_lookups`, for its own links); anything else is a 400;
- `search_fields` only reach fields the change list shows, so a search cannot probe a hidden value;
- a filter value with a NUL byte, an absurd length or a date out of range is a 400, never a 500;
- a private field (`core.disclosure`) the coordinator may not see is left out of forms and columns.

Every admin page is for coordinators only (`core.roles.is_coordinator`) and goes through the same
gate as the cockpit (`core.mfa.coordinator_gate`): a second factor on the account, passed in this session.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP

from . import disclosure
from .mfa import coordinator_gate
from .roles import is_coordinator

# What Django's own list filters put in the URL after the field path
# (Choices/Boolean/AllValues: exact or the bare path, Related: <target>__exact, Date: gte/lt, Empty: isempty).
FILTER_SUFFIXES = ("", "exact", "isnull", "isempty")
DATE_FILTER_SUFFIXES = ("gte", "lt")
DATE_HIERARCHY_SUFFIXES = {"year": (1, 9999), "month": (1, 12), "day": (1, 31)}
# A filter value longer than this is not something a coordinator clicked or typed.
MAX_LOOKUP_VALUE_LENGTH = 500


BIGGEST_INTEGER = 2**63 - 1


def _refuse(lookup: str):
    raise DisallowedModelAdminLookup(f"Filtering by {lookup} not allowed")


class ChangeListPrivacyMixin:
    """Mixed into every registered ModelAdmin by `MentorprogrammaAdminSite.register`."""

    # --- URL filters --------------------------------------------------------------------
    def allowed_lookups(self, request) -> set[str]:
        # Further lookups an admin's own links need (exact names), beyond its list_filter: an admin's
        # `extra_lookups`. Not defaulted on this mixin, which comes first in the MRO and would hide it.
        allowed = set(getattr(self, "extra_lookups", ()))
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                allowed.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, (list, tuple)) else item
            field = get_fields_from_path(self.model, path)[-1]
            suffixes = list(FILTER_SUFFIXES)
            if field.is_relation:
                suffixes.append(f"{field.target_field.name}{LOOKUP_SEP}exact")
            if isinstance(field, models.DateField):
                suffixes.extend(DATE_FILTER_SUFFIXES)
            allowed.update(LOOKUP_SEP.join(filter(None, (path, suffix))) for suffix in suffixes)
        if self.date_hierarchy:
            allowed.update(f"{self.date_hierarchy}{LOOKUP_SEP}{part}" for part in DATE_HIERARCHY_SUFFIXES)
        return allowed

    def lookup_allowed(self, lookup, value, request=None):
        if "\x00" in str(value) or len(str(value)) > MAX_LOOKUP_VALUE_LENGTH:
            _refuse(lookup)
        # A number no database column can hold: PostgreSQL finds nothing, SQLite raises; both a 400.
        digits = (part.strip().lstrip("-") for part in str(value).split(","))
        if any(part.isdigit() and int(part) > BIGGEST_INTEGER for part in digits):
            _refuse(lookup)
        if self.date_hierarchy and lookup.startswith(f"{self.date_hierarchy}{LOOKUP_SEP}"):
            bounds = DATE_HIERARCHY_SUFFIXES.get(lookup.removeprefix(f"{self.date_hierarchy}{LOOKUP_SEP}"))
            if bounds is not None and not (str(value).isdigit() and bounds[0] <= int(value) <= bounds[1]):
                _refuse(lookup)
        # Raw-id popups filter by a foreign key's limit_choices_to: Django's own check knows those.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if lookup in fk_lookup:
                return super().lookup_allowed(lookup, value, request)
        return lookup in self.allowed_lookups(request)

    # --- Private fields (core.disclosure) ---------------------------------------------------
    def _may_see(self, request, obj, name) -> bool:
        if not isinstance(name, str) or not disclosure.is_private(self.model, name):
            return True
        return disclosure.may_see(getattr(request, "user", None), obj, name, model=self.model)

    def get_fields(self, request, obj=None):
        return [name for name in super().get_fields(request, obj) if self._may_see(request, obj, name)]

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = []
            for item in options.get("fields", ()):
                if isinstance(item, (list, tuple)):
                    item = tuple(name for name in item if self._may_see(request, obj, name))
                    if item:
                        fields.append(item)
                elif self._may_see(request, obj, item):
                    fields.append(item)
            fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    def get_list_display(self, request):
        return [name for name in super().get_list_display(request) if self._may_see(request, None, name)]

    # --- Search ---------------------------------------------------------------------------
    def visible_paths(self, request) -> set[str]:
        """Field paths whose values the change list shows: columns (and what they sort by) and filters."""
        paths = set()
        for name in self.get_list_display(request):
            attribute = name if callable(name) else getattr(self, name, None) or getattr(self.model, name, None)
            order_field = getattr(attribute, "admin_order_field", None)
            if isinstance(order_field, str):
                paths.add(order_field.lstrip("-"))
            if isinstance(name, str):
                paths.add(name)
        for item in self.get_list_filter(request):
            if not (isinstance(item, type) and issubclass(item, SimpleListFilter)):
                paths.add(item[0] if isinstance(item, (list, tuple)) else item)
        if self.date_hierarchy:
            paths.add(self.date_hierarchy)
        return paths

    def _search_path_visible(self, request, search_field: str) -> bool:
        parts = search_field.lstrip("^=@").split(LOOKUP_SEP)
        visible = self.visible_paths(request)
        for length in range(len(parts), 0, -1):
            prefix, rest = LOOKUP_SEP.join(parts[:length]), LOOKUP_SEP.join(parts[length:])
            if prefix not in visible:
                continue
            if not rest:
                return True
            # A related object shown as a column (e.g. "user") shows what its own admin lists.
            try:
                related_model = get_fields_from_path(self.model, prefix)[-1].related_model
            except (FieldDoesNotExist, NotRelationField):
                return False
            related_admin = self.admin_site._registry.get(related_model)
            return isinstance(related_admin, ChangeListPrivacyMixin) and related_admin._search_path_visible(
                request, rest
            )
        return False

    def get_search_fields(self, request):
        return [field for field in super().get_search_fields(request) if self._search_path_visible(request, field)]

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses a NUL byte in a string; no row contains one, so no row matches.
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class MentorprogrammaAdminSite(admin.AdminSite):
    """The default admin site (see `core.apps.MentorprogrammaAdminConfig`)."""

    def has_permission(self, request):
        # The one definition of a coordinator, not Django's "any active staff account".
        return is_coordinator(request.user)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def coordinators_only(request, *args, **kwargs):
            # Anyone else meets Django's own login page (the guarded view); a coordinator first
            # sets up a second factor and passes it in this session.
            if is_coordinator(request.user):
                response = coordinator_gate(request)
                if response is not None:
                    return response
            return guarded(request, *args, **kwargs)

        return coordinators_only

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ChangeListPrivacyMixin):
            admin_class = type(
                admin_class.__name__,
                (ChangeListPrivacyMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)
