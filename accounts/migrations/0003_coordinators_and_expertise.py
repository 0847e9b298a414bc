from django.db import migrations

from accounts.permissions import ACCOUNTS_CODENAMES, MATCHING_CODENAMES, grant_coordinator_permissions

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
    grant_coordinator_permissions(apps, "accounts", ACCOUNTS_CODENAMES)
    grant_coordinator_permissions(apps, "matching", MATCHING_CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_member_list"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("matching", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_expertise, migrations.RunPython.noop),
        migrations.RunPython(create_coordinator_group, migrations.RunPython.noop),
    ]
