"""Version 1 of the signed revocation list for the certificates revoked before revocations were signed.

It calls the service (which signs with the certificate key and writes the list file) rather than
historical models: signing needs the key, and the list must be the one verification reads."""

from django.db import migrations


def sign_existing(apps, schema_editor):
    from zhicheng.certificates.revocations import sign_existing

    sign_existing()


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_revocation_list"),
    ]

    operations = [
        migrations.RunPython(sign_existing, migrations.RunPython.noop),
    ]
