"""A decision ends when a child's placement ends (`ends_on`), and that is part of its content:
the triggers of 0003 are created again guarding it too (SQLite rebuilds the table to add a
column, which drops its triggers)."""

import importlib

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db import migrations, models
from django.db.migrations.state import StateApps

triggers = importlib.import_module(
    "kuntarobo.robots.ecec_fees.migrations.0003_decisions_never_edited"
)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor, (*triggers.CONTENT, "ends_on"))


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor, triggers.CONTENT)


class Migration(migrations.Migration):
    dependencies = [("ecec_fees", "0003_decisions_never_edited")]

    operations = [
        migrations.AddField(
            model_name="feedecision",
            name="ends_on",
            field=models.DateField(blank=True, null=True, verbose_name="ends with the placement"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
