from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# What coordinators may do with matching in the admin; agreements and renewal answers are not among them (R11).
COORDINATOR_PERMISSIONS = [
    "add_cycle",
    "change_cycle",
    "view_cycle",
    "change_application",
    "view_application",
    "add_match",
    "change_match",
    "view_match",
]


def grant_coordinator_permissions(sender, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    from accounts.models import COORDINATOR_GROUP

    group, _created = Group.objects.using(using).get_or_create(name=COORDINATOR_GROUP)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="matching", codename__in=COORDINATOR_PERMISSIONS
    )
    group.permissions.add(*permissions)


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = _("Matching")

    def ready(self):
        post_migrate.connect(grant_coordinator_permissions, sender=self)
