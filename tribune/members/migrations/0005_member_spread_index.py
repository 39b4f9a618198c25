"""The education spread's index (issue 14): members in good standing per branch.

``education.spread.dashboard`` counts them per home branch; with this index the
count reads the index alone (SQLite read every member's row for its branch:
185 ms → 40 ms at 100,000 members, docs/benchmarks.md).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0004_directory_index")]

    operations = [
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["organisation", "standing", "home_branch"], name="member_spread"
            ),
        ),
    ]
