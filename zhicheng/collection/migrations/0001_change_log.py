# The collection's change log; certificates issued before it existed enter it once each, in the order
# they were made, so the first pull (no cursor) delivers every title record held so far.

from django.db import migrations, models
from django.utils import timezone


def log_existing_certificates(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    Change = apps.get_model("collection", "Change")
    now = timezone.now()
    numbers = Certificate.objects.order_by("pk").values_list("number", flat=True).iterator(chunk_size=2000)
    batch = []
    for number in numbers:
        batch.append(Change(number=number, at=now))
        if len(batch) == 2000:
            Change.objects.bulk_create(batch)
            batch = []
    Change.objects.bulk_create(batch)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("certificates", "0004_sign_existing_revocations"),
    ]

    operations = [
        migrations.CreateModel(
            name='Change',
            fields=[
                ('seq', models.BigAutoField(primary_key=True, serialize=False)),
                ('number', models.CharField(db_index=True, max_length=40, verbose_name='证书编号')),
                ('at', models.DateTimeField(verbose_name='时间')),
            ],
            options={
                'verbose_name': '归集变更记录',
                'verbose_name_plural': '归集变更记录',
                'ordering': ['seq'],
            },
        ),
        migrations.RunPython(log_existing_certificates, migrations.RunPython.noop),
    ]
