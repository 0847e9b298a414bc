from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


class ReadOnlyAdminMixin:
    """A list coordinators may look at but never add to, edit or delete from (records, statistics, logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KeysFirstPaginator(Paginator):
    """Finds a page's primary keys first, then reads those rows.

    Without an index on the sort order, PostgreSQL sorts every row of the table for a page of
    50, dragging each row's every column (and its joined partner rows) through the sort. Sorting
    only the keys is about half the work; the 50 rows themselves are then read by primary key,
    in the same order, with their joins and annotations.
    """

    def page(self, number):
        page = super().page(number)
        rows = self.object_list
        # A DISTINCT query (a search across a relation) sorts on columns it must also select:
        # leave it as Django reads it.
        if isinstance(rows, QuerySet) and not rows.query.distinct and not rows.query.combinator:
            keys = list(page.object_list.prefetch_related(None).values_list("pk", flat=True))
            page.object_list = rows.filter(pk__in=keys)
        return page


class LargeChangeListMixin:
    """For the change lists that hold a row per member or more (issue 17: 10,000 members).

    A page of 50 rows, read keys first (KeysFirstPaginator), and no second COUNT(*) of the
    unfiltered table. Each row's action checkbox is written directly rather than rendered
    through the form widget templates: the HTML is the same as Django's, without a template
    render per row (about 4 ms of a 50-row page).
    """

    list_per_page = 50
    show_full_result_count = False
    paginator = KeysFirstPaginator

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        # Django's ModelAdmin.action_checkbox, as django/forms/widgets/input.html writes it.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), self.action_checkbox_label(obj)),
        )

    def action_checkbox_label(self, obj) -> str:
        """What the row's checkbox is read out as by a screen reader (Django: the object's str)."""
        return str(obj)


# The admin index in the order a coordinator's year runs, not alphabetically: import the member
# list and verify, open a cycle and take applications, match (with the firm register at hand),
# follow the pairs' meetings, evaluate, and see which mails went out. Unlisted models follow.
YEAR_ORDER = [
    ("accounts", ["MemberListImport", "Profile", "MemberListEntry", "Expertise", "User"]),
    ("matching", ["Cycle", "Application", "FirmGroup", "Match"]),
    ("meetings", ["PairMeetingStatistics"]),
    ("evaluations", ["EvaluationRound", "Invitation"]),
    ("notifications", ["OutboxMessage"]),
]


def in_year_order(app_list: list[dict]) -> list[dict]:
    app_rank = {label: index for index, (label, _models) in enumerate(YEAR_ORDER)}
    model_rank = {label: {name: index for index, name in enumerate(models)} for label, models in YEAR_ORDER}
    for app in app_list:
        ranks = model_rank.get(app["app_label"], {})
        app["models"].sort(key=lambda model: (ranks.get(model["object_name"], len(ranks)), model["name"]))
    return sorted(app_list, key=lambda app: (app_rank.get(app["app_label"], len(app_rank)), app["name"]))


def use_year_order(site) -> None:
    """Wrap the site's app list (index, sidebar and app pages alike) in the year's order."""
    original = site.get_app_list

    def get_app_list(request, app_label=None):
        return in_year_order(original(request, app_label))

    site.get_app_list = get_app_list


def history_record(*, user, obj, action_flag: int, message: str) -> LogEntry:
    """A line in the admin's history of ``obj`` (a service's own action, outside a ModelAdmin form).

    The object's name as its __str__ says (at most 200 characters); the message says what happened,
    never what a member wrote.
    """
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=action_flag,
        change_message=message,
    )
