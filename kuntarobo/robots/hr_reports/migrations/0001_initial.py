import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("runtime", "0002_run_summary_is_the_record"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExportMapping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("column_mapping", models.JSONField(blank=True, default=dict, verbose_name="column mapping")),
                ("thresholds", models.JSONField(blank=True, default=dict, verbose_name="early-support thresholds")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "municipality",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hr_export_mapping",
                        to="accounts.municipality",
                    ),
                ),
            ],
            options={"verbose_name": "HR export mapping", "verbose_name_plural": "HR export mappings"},
        ),
        migrations.CreateModel(
            name="SentReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("unit_id", models.CharField(max_length=100, verbose_name="unit")),
                ("month", models.CharField(max_length=7, verbose_name="month")),
                ("recipient", models.EmailField(max_length=254, verbose_name="recipient")),
                ("language", models.CharField(max_length=2, verbose_name="language")),
                ("sent_at", models.DateTimeField(verbose_name="sent")),
                ("message_id", models.CharField(max_length=255, verbose_name="message ID")),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hr_sent_reports",
                        to="accounts.municipality",
                    ),
                ),
                (
                    "work_item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="runtime.workitem",
                    ),
                ),
            ],
            options={
                "verbose_name": "sent HR report",
                "verbose_name_plural": "sent HR reports",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("municipality", "unit_id", "month"), name="hr_sent_report_unique_month"
                    )
                ],
            },
        ),
    ]
