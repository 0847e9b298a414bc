"""Every active pair has its agreement from the moment it is activated; pages only read it.

Pairs activated before activation created the agreement get theirs here. Frozen: this
migration carries its own copy of the rule (mission from the mentorvraag, evaluation
moment one month before the planned end) and imports nothing live.
"""

from dateutil.relativedelta import relativedelta
from django.db import migrations


def create_missing_agreements(apps, schema_editor):
    Match = apps.get_model("matching", "Match")
    Agreement = apps.get_model("matching", "Agreement")
    for match in Match.objects.filter(status="actief", agreement__isnull=True).select_related("mentee_application"):
        Agreement.objects.create(
            match=match,
            mission=match.mentee_application.mentoring_question if match.mentee_application_id else "",
            evaluation_date=(match.planned_end - relativedelta(months=1)) if match.planned_end else None,
        )


class Migration(migrations.Migration):
    dependencies = [("matching", "0003_bounded_text")]

    operations = [migrations.RunPython(create_missing_agreements, migrations.RunPython.noop)]
