"""Fewer indexes for every new decision to write: none on `basis` (no query looks it up), the
decision number unique by a constraint (unique=True also made PostgreSQL a pattern-matching
index no query uses), and none of its own on the municipality (the composite indexes begin with
it). SQLite rebuilds the table to alter its columns, which drops its triggers: those of 0004 are
created again."""

import importlib

import django.db.models.deletion
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db import migrations, models
from django.db.migrations.state import StateApps

triggers = importlib.import_module(
    "kuntarobo.robots.ecec_fees.migrations.0003_decisions_never_edited"
)


def reinstall_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor, (*triggers.CONTENT, "ends_on"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("ecec_fees", "0006_decision_ends_on_label"),
        ("runtime", "0002_run_summary_is_the_record"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="feedecision",
            constraint=models.UniqueConstraint(
                fields=("decision_number",), name="ecec_decision_number_unique"
            ),
        ),
        migrations.AlterField(
            model_name="feedecision",
            name="decision_number",
            field=models.CharField(max_length=40, verbose_name="decision number"),
        ),
        migrations.AlterField(
            model_name="feedecision",
            name="basis",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="feedecision",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ecec_fee_decisions",
                to="accounts.municipality",
            ),
        ),
        migrations.RunPython(reinstall_triggers, reinstall_triggers),
    ]
