"""Seeds the expertise list and the coordinators' group with accounts' permissions.

Frozen: its own copy of the lists and of the granting, no live imports, so changing the
application later never changes what this migration did. Other apps' permissions (and
accounts' later additions) are granted by accounts.permissions after every migrate.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR_GROUP = "Coördinatoren"
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

# Common Dutch tax specialisms (Dutch, English); coordinators maintain the list in the admin.
EXPERTISE = [
    ("Vennootschapsbelasting", "Corporate income tax"),
    ("Inkomstenbelasting", "Personal income tax"),
    ("Btw", "VAT"),
    ("Loonheffingen", "Payroll taxes"),
    ("Internationaal belastingrecht", "International tax law"),
    ("Estate planning / schenk- en erfbelasting", "Estate planning / gift and inheritance tax"),
    ("Douane en accijnzen", "Customs and excise duties"),
    ("Transfer pricing", "Transfer pricing"),
    ("Fiscale procespraktijk", "Tax litigation"),
    ("Dividendbelasting", "Dividend withholding tax"),
    ("Overdrachtsbelasting", "Real estate transfer tax"),
    ("Fiscaal ondernemingsrecht", "Business tax law"),
    ("Pensioenen en lijfrenten", "Pensions and annuities"),
    ("Belastingen en technologie", "Tax technology"),
    ("Fiscale risicobeheersing (tax control)", "Tax control and risk management"),
]


def seed_expertise(apps, schema_editor):
    Expertise = apps.get_model("accounts", "Expertise")
    for name, name_en in EXPERTISE:
        expertise, created = Expertise.objects.get_or_create(name=name, defaults={"name_en": name_en})
        if not created and not expertise.name_en:
            expertise.name_en = name_en
            expertise.save(update_fields=["name_en"])


def create_coordinator_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after all migrations ran: create accounts' now.
    app_config = apps.get_app_config("accounts")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module
    group, _created = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="accounts", codename__in=ACCOUNTS_CODENAMES)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_member_list"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(seed_expertise, migrations.RunPython.noop),
        migrations.RunPython(create_coordinator_group, migrations.RunPython.noop),
    ]
