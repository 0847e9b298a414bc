from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Members")

    def ready(self):
        from .data_rights import register_accounts_contributor
        from .permissions import grant_after_migrate

        register_accounts_contributor()

        # Every app's migrate (and every test flush) gives the coordinators their rights again.
        post_migrate.connect(grant_after_migrate, dispatch_uid="accounts_grant_coordinator_permissions")
