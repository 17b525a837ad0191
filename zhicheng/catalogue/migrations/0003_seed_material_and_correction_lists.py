from django.db import migrations


def seed(apps, schema_editor):
    from zhicheng.catalogue.materials_data import ensure_defaults

    ensure_defaults(apps.get_model("catalogue", "MaterialItem"), apps.get_model("catalogue", "CorrectionItem"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_material_and_correction_lists")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
