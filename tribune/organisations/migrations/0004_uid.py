"""Every organisation gets a UUID: its actor URI (networks, coalitions, federation) ends in it."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    for organisation in Organisation.objects.filter(uid__isnull=True):
        organisation.uid = uuid.uuid4()
        organisation.save(update_fields=["uid"])


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_time_zone")]

    operations = [
        migrations.AddField(
            model_name="organisation", name="uid", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="organisation",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
