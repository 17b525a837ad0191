from django.db import migrations, models

# Steps after which the declaration stays in the same hands (holders.holder_for): the unit through its
# publicity, the bureau or department through the roster publicity, the committee office from intake to
# the result's publicity, the region from a senior result to its filing.
SAME_HOLDER = {
    ("submitted", "employer_publicity"), ("city_bureau_review", "roster_publicity"),
    ("department_review", "roster_publicity"), ("committee_intake", "accepted"), ("accepted", "under_review"),
    ("under_review", "passed"), ("passed", "result_publicity"),
}
SENIOR = ("associate_senior", "full_senior")


def backfill(apps, schema_editor):
    """The arrival of each declaration held now: the first step of the last run of steps that kept it in the
    same hands (the timeline records no holder); state_since where the timeline has nothing."""
    Application = apps.get_model("declarations", "Application")
    Event = apps.get_model("declarations", "ApplicationEvent")
    held = Application.objects.filter(holder__isnull=False).only("pk", "state_since", "level")
    for app in held.iterator(chunk_size=2000):
        events = list(Event.objects.filter(application_id=app.pk).order_by("-at", "-pk").values_list("from_state", "to_state", "at"))
        since = events[0][2] if events else app.state_since
        for from_state, to_state, at in events:
            since = at
            same = (from_state, to_state) in SAME_HOLDER or (
                (from_state, to_state) == ("result_published", "filed") and app.level in SENIOR)
            if not same:
                break
        Application.objects.filter(pk=app.pk).update(held_since=since)


class Migration(migrations.Migration):

    dependencies = [
        ('declarations', '0003_applicationevent_holder'),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='held_since',
            field=models.DateTimeField(blank=True, null=True, verbose_name='到达当前办理机构时间'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
