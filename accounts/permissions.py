"""The "Coördinatoren" group and how it gets its admin permissions: the one home of the coordinator role.

Coordinators are staff, never superusers: they get exactly the permissions the
programme's work needs. Each app declares its own list as `coordinator_permissions`
on its AppConfig (accounts knows no other app); after every `migrate` (and every
test flush) a post_migrate receiver grants each app's list again, so a new model's
permissions reach the group by adding its codenames to its own app.
"""

from django.contrib.auth.management import create_permissions

from .models import COORDINATOR_GROUP


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


def coordinator_permissions() -> dict[str, list[str]]:
    """app label -> the codenames that app declares for coordinators."""
    from django.apps import apps as installed

    return {
        config.label: list(config.coordinator_permissions)
        for config in installed.get_app_configs()
        if getattr(config, "coordinator_permissions", None)
    }


def grant_all_coordinator_permissions(apps) -> None:
    """Every app's declared list."""
    for app_label, codenames in coordinator_permissions().items():
        grant_coordinator_permissions(apps, app_label, codenames)


def grant_after_migrate(sender, apps=None, **kwargs) -> None:
    """post_migrate receiver: runs after auth created the app's permissions (auth connects first)."""
    codenames = getattr(sender, "coordinator_permissions", None)
    if codenames and apps is not None:
        grant_coordinator_permissions(apps, sender.label, codenames)
