"""The timeline's index: by declaration, time and id with the stage entered and its holder, so the timeline and the
statistics' days per stage read the index alone; it replaces the index on the declaration alone (created first)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('declarations', '0004_application_held_since'),
        ('orgs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='applicationevent',
            index=models.Index(fields=['application', 'at', 'id', 'to_state', 'holder'], name='declarations_event_timeline'),
        ),
        migrations.AlterField(
            model_name='applicationevent',
            name='application',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='declarations.application'),
        ),
    ]
