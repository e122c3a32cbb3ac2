"""Fewer indexes for a work item's two status changes to write again: none of their own on the
run and the municipality (the composite indexes begin with them), and the worker's name indexed
only while an item is claimed, which is what recovery looks for."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("runtime", "0002_run_summary_is_the_record"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="workitem",
            name="claimed_by",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="workitem",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="work_items",
                to="accounts.municipality",
            ),
        ),
        migrations.AlterField(
            model_name="workitem",
            name="run",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="runtime.run",
            ),
        ),
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(
                condition=models.Q(("claim_token", ""), _negated=True),
                fields=["claimed_by"],
                name="workitem_claimed",
            ),
        ),
    ]
