"""五（十二）: a declaration on a recognition route is not reviewed, so it owes no review fee. Drafts screened onto such a
route before the fee followed the route still carry the level's fee and ask for it: those not yet paid are set to none,
each change audited. A fee already paid stays on record."""

from django.db import migrations

RECOGNITION_ROUTES = ("graduate_recognition", "postdoc_recognition")


def waive(apps, schema_editor):
    from zhicheng.audit.services import batched, record

    Application = apps.get_model("declarations", "Application")
    owing = Application.objects.filter(route__in=RECOGNITION_ROUTES, fee_paid_at__isnull=True, fee_amount__gt=0).order_by("pk")
    with batched():
        for pk, amount in owing.values_list("pk", "fee_amount"):
            record("application.fee_waived", object_type="declarations.application", object_id=str(pk),
                   before={"fee_amount": str(amount)}, after={"fee_amount": "0.00"},
                   summary="考核认定不需要评审，不收评审费（五（十二））")
    owing.update(fee_amount=0)


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0006_submitted_person_facts"),
        ("audit", "0004_object_entries_by_time"),
    ]

    operations = [
        migrations.RunPython(waive, migrations.RunPython.noop),
    ]
