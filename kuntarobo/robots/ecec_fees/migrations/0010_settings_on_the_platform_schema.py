"""The municipal settings move onto the platform's settings schema: each dated row becomes a
`runtime.RobotSettings` row of the robot "ecec_fees" from the same day with the same JSON, so
the decisions' `settings_valid_from` still names the row they were computed with."""

from typing import Any

from django.db import migrations

SLUG = "ecec_fees"


def copy_rows(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("ecec_fees", "MunicipalSettingsRow")
    new = apps.get_model("runtime", "RobotSettings")
    for row in old.objects.order_by("municipality_id", "valid_from"):
        if new.objects.filter(
            municipality_id=row.municipality_id, robot_slug=SLUG, valid_from=row.valid_from
        ).exists():
            continue
        copied = new.objects.create(
            municipality_id=row.municipality_id,
            robot_slug=SLUG,
            valid_from=row.valid_from,
            values=row.settings,
            saved_by="migration from the fee robot's own settings rows",
        )
        # The day it was saved, not the day of the migration.
        new.objects.filter(pk=copied.pk).update(created_at=row.created_at)


def copy_back(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("ecec_fees", "MunicipalSettingsRow")
    new = apps.get_model("runtime", "RobotSettings")
    for row in new.objects.filter(robot_slug=SLUG, valid_from__isnull=False):
        old.objects.update_or_create(
            municipality_id=row.municipality_id,
            valid_from=row.valid_from,
            defaults={"settings": row.values},
        )
    new.objects.filter(robot_slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ecec_fees", "0009_decision_number_per_municipality"),
        ("runtime", "0006_work_item_waiting"),
    ]

    operations = [
        migrations.RunPython(copy_rows, copy_back),
        migrations.DeleteModel(name="MunicipalSettingsRow"),
    ]
