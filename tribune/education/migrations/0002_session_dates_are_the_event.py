"""A circle session's dates are its calendar event's: no copy to disagree with."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0001_initial"),
        ("struggles", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="circlesession",
            options={"ordering": ["circle", "event__starts_at", "pk"]},
        ),
        migrations.RemoveField(model_name="circlesession", name="starts_at"),
        migrations.RemoveField(model_name="circlesession", name="ends_at"),
        migrations.AlterField(
            model_name="circlesession",
            name="event",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="struggles.event",
            ),
        ),
    ]
