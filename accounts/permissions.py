"""The "Coördinatoren" group and its admin permissions: the one home of the coordinator role.

Coordinators are staff, never superusers: they get exactly the permissions the
programme's work needs, listed per app in COORDINATOR_PERMISSIONS. After every
`migrate` (and every test flush) a post_migrate receiver grants them again, so
a new model's permissions reach the group by adding its codenames here.
"""

from django.contrib.auth.management import create_permissions

from .models import COORDINATOR_GROUP

# What coordinators do with members: look at accounts (never edit them: that would let a
# coordinator hand out superuser rights), verify or reject profiles, keep the expertise
# list, import member lists. Contact details stay on the member's side.
ACCOUNTS_CODENAMES = [
    "view_user",
    "view_profile",
    "change_profile",
    "view_expertise",
    "add_expertise",
    "change_expertise",
    "delete_expertise",
    "view_memberlistimport",
    "add_memberlistimport",
    "view_memberlistentry",
]

# AVG art. 17: erase a member who asks for it (with reauthentication, see admin_data_rights).
# Apart from the list above, which migration 0003 reads, because it came with migration 0005.
ACCOUNTS_DATA_RIGHTS_CODENAMES = ["erase_member"]

# Cycles, applications and matches are the coordinators' daily work (matching app).
# Nothing is deleted: withdrawing and ending are status changes (R6).
MATCHING_CODENAMES = [
    "view_cycle",
    "add_cycle",
    "change_cycle",
    "view_application",
    "change_application",
    "view_match",
    "add_match",
    "change_match",
]
# The conflict-of-interest register: coordinators keep the firm groups themselves. Apart from
# MATCHING_CODENAMES because an early data migration grants that list before the model exists.
FIRM_GROUP_CODENAMES = ["view_firmgroup", "add_firmgroup", "change_firmgroup", "delete_firmgroup"]


# Evaluations: define rounds and questions, see who was invited. Never anything on
# responses or receipts: those are not in the admin at all (R14).
EVALUATIONS_CODENAMES = [
    "view_evaluationround",
    "add_evaluationround",
    "change_evaluationround",
    "delete_evaluationround",
    "view_question",
    "add_question",
    "change_question",
    "delete_question",
    "view_invitation",
]

# Notifications: see what was sent, and send failed messages again (the "change" right).
NOTIFICATIONS_CODENAMES = ["view_outboxmessage", "change_outboxmessage"]

# Meetings need none: coordinators see only counts, through a view open to staff (R11).
COORDINATOR_PERMISSIONS = {
    "accounts": [*ACCOUNTS_CODENAMES, *ACCOUNTS_DATA_RIGHTS_CODENAMES],
    "matching": MATCHING_CODENAMES + FIRM_GROUP_CODENAMES,
    "evaluations": EVALUATIONS_CODENAMES,
    "notifications": NOTIFICATIONS_CODENAMES,
}


def _ensure_permissions_exist(apps, app_label):
    """Permissions are normally created after all migrations ran; a data migration needs them now."""
    app_config = apps.get_app_config(app_label)
    models_module = getattr(app_config, "models_module", None)
    # A migration's app registry has no models module, and create_permissions skips such apps.
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module


def grant_coordinator_permissions(apps, app_label: str, codenames) -> None:
    """Give the coordinators' group these permissions of one app; safe to run again.

    `apps` is the registry a migration receives (or `django.apps.apps`). An unknown
    codename is an error, so a typo cannot silently leave coordinators without a screen.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    _ensure_permissions_exist(apps, app_label)
    codenames = list(codenames)
    permissions = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    missing = sorted(set(codenames) - {permission.codename for permission in permissions})
    if missing:
        raise LookupError(f"Unknown permissions for {app_label}: {', '.join(missing)}")
    group, _created = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    group.permissions.add(*permissions)


def revoke_coordinator_permissions(apps, app_label: str, codenames) -> None:
    """The reverse of `grant_coordinator_permissions`, for a migration's backwards step."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=COORDINATOR_GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=list(codenames))
        )


def grant_all_coordinator_permissions(apps) -> None:
    """Everything this module knows about."""
    for app_label, codenames in COORDINATOR_PERMISSIONS.items():
        grant_coordinator_permissions(apps, app_label, codenames)


def grant_after_migrate(sender, apps=None, **kwargs) -> None:
    """post_migrate receiver: runs after auth created the app's permissions (auth connects first)."""
    codenames = COORDINATOR_PERMISSIONS.get(sender.label)
    if codenames and apps is not None:
        grant_coordinator_permissions(apps, sender.label, codenames)
