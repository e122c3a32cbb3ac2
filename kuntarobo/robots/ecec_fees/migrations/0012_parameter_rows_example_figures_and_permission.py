"""Parameter rows: a flag for the demo's example figures (never official ones), and the
permission to enter the national figures in the web UI without being a superuser."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ecec_fees", "0011_decision_keeps_its_letter")]

    operations = [
        migrations.AddField(
            model_name="feeparameterrow",
            name="example_figures",
            field=models.BooleanField(default=False, verbose_name="example figures, not official"),
        ),
        migrations.AlterModelOptions(
            name="feeparameterrow",
            options={
                "ordering": ["valid_from"],
                "permissions": [
                    ("manage_fee_parameters", "Can enter the national ECEC fee parameters")
                ],
                "verbose_name": "ECEC fee parameters",
                "verbose_name_plural": "ECEC fee parameters",
            },
        ),
    ]
