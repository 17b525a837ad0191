from django.db import migrations, models


class Migration(migrations.Migration):
    """Certificates issued so far carry the version-1 payload (an unsalted digest of the 身份证 number);
    they are marked so, and keep verifying on the server. New ones are sealed as version 2."""

    dependencies = [
        ("certificates", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="payload_version",
            field=models.PositiveSmallIntegerField(
                default=1, help_text="1：身份证号码以无盐摘要绑定，只由服务器核验；2：以随机盐绑定，公开签名可离线核验",
                verbose_name="签名数据版本"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="certificate",
            name="id_salt",
            field=models.CharField(blank=True, help_text="第2版：随机值，只存于服务器，从不公开", max_length=32,
                                   verbose_name="身份证号码绑定盐"),
        ),
    ]
