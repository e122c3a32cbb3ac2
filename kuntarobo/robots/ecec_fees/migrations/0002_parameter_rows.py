"""The act's figures from 1 August 2018 as dated rows (see kuntarobo.robots.ecec_fees.statutory).
"""

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db import migrations
from django.db.migrations.state import StateApps

from kuntarobo.robots.ecec_fees.statutory import row_values


def add_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    row_model = apps.get_model("ecec_fees", "FeeParameterRow")
    for values in row_values():
        row_model.objects.create(**values)


def remove_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("ecec_fees", "FeeParameterRow").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("ecec_fees", "0001_initial")]

    operations = [migrations.RunPython(add_rows, remove_rows)]
