from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Members")
    # What coordinators do with members: look at accounts (never edit them: that would let a
    # coordinator hand out superuser rights), verify or reject profiles, keep the expertise
    # list, import member lists. Contact details stay on the member's side.
    coordinator_permissions = [
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
        # AVG art. 17: erase a member who asks for it (with reauthentication, see admin_data_rights).
        "erase_member",
    ]

    def ready(self):
        from . import disclosure  # noqa: F401 - who may read a member-list line (core.disclosure)
        from .data_rights import register_accounts_contributor
        from .permissions import grant_after_migrate

        register_accounts_contributor()

        # Every app's migrate (and every test flush) gives the coordinators their rights again.
        post_migrate.connect(grant_after_migrate, dispatch_uid="accounts_grant_coordinator_permissions")
