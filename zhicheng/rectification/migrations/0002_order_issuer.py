"""Each order names the HR department that gave it (八（一）: every level orders correction in its own area). The orders
given so far were the regional department's: its staff issued them."""

import django.db.models.deletion
from django.db import migrations, models


def fill_issuer(apps, schema_editor):
    Order = apps.get_model("rectification", "RectificationOrder")
    Organisation = apps.get_model("orgs", "Organisation")
    region = Organisation.objects.filter(kind="regional_hr_department").order_by("pk").first()
    for order in Order.objects.select_related("issued_by"):
        order.issuer_id = order.issued_by.organisation_id or region.pk
        order.save(update_fields=["issuer"])


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0001_initial"),
        ("rectification", "0001_orders_suspensions_bulletins"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectificationorder",
            name="issuer",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="rectification_orders_issued",
                                    to="orgs.organisation", verbose_name="下达机关"),
        ),
        migrations.RunPython(fill_issuer, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rectificationorder",
            name="issuer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="rectification_orders_issued",
                                    to="orgs.organisation", verbose_name="下达机关"),
        ),
    ]
