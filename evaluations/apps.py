from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# What coordinators may do with evaluations in the admin: define rounds and questions,
# see who was invited. Never anything on responses: those are not in the admin at all.
COORDINATOR_PERMISSIONS = {
    "evaluationround": ["add", "change", "delete", "view"],
    "question": ["add", "change", "delete", "view"],
    "invitation": ["view"],
}


def grant_coordinator_permissions(sender, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    from accounts.models import COORDINATOR_GROUP

    codenames = [f"{action}_{model}" for model, actions in COORDINATOR_PERMISSIONS.items() for action in actions]
    permissions = Permission.objects.using(using).filter(content_type__app_label="evaluations", codename__in=codenames)
    if not permissions.exists():
        return
    group, _created = Group.objects.using(using).get_or_create(name=COORDINATOR_GROUP)
    group.permissions.add(*permissions)


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self):
        from . import checks  # noqa: F401 - registers the system check

        # After auth has created the permissions (its handler is connected first).
        post_migrate.connect(
            grant_coordinator_permissions, sender=self, dispatch_uid="evaluations_coordinator_permissions"
        )
