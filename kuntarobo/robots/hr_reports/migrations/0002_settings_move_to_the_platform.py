"""The HR settings move to the platform's robot settings (declared by the robot's schema):
each municipality's column mapping and thresholds become its first settings row."""

from django.db import migrations


def forwards(apps, schema_editor):
    ExportMapping = apps.get_model("hr_reports", "ExportMapping")
    RobotSettings = apps.get_model("runtime", "RobotSettings")
    for stored in ExportMapping.objects.all():
        RobotSettings.objects.create(
            municipality_id=stored.municipality_id,
            robot_slug="hr_reports",
            values={"column_mapping": stored.column_mapping or {}, **(stored.thresholds or {})},
            saved_by="migration from the HR robot's own settings",
        )


def backwards(apps, schema_editor):
    ExportMapping = apps.get_model("hr_reports", "ExportMapping")
    RobotSettings = apps.get_model("runtime", "RobotSettings")
    latest = {}
    for row in RobotSettings.objects.filter(robot_slug="hr_reports").order_by("created_at", "id"):
        latest[row.municipality_id] = row.values
    for municipality_id, values in latest.items():
        values = dict(values)
        mapping = values.pop("column_mapping", {})
        ExportMapping.objects.create(
            municipality_id=municipality_id, column_mapping=mapping, thresholds=values
        )


class Migration(migrations.Migration):
    dependencies = [
        ("hr_reports", "0001_initial"),
        ("runtime", "0005_robot_settings_as_a_schema"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="ExportMapping"),
    ]
