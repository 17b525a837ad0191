import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("declarations", "0002_application_material_and_fee_reference"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicationevent",
            name="holder",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="orgs.organisation"),
        ),
    ]
