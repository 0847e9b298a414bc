class ReadOnlyAdminMixin:
    """A list coordinators may look at but never add to, edit or delete from (records, statistics, logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
