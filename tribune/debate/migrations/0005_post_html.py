"""Posts keep their rendered (sanitised) Markdown; existing posts are rendered once here.

The column may be null so that SQLite adds it in place (a column with a default makes
Django rebuild debate_post, which trips over the search index's triggers: see 0004).
"""

from django.db import migrations, models


def render_existing(apps, schema_editor):
    from tribune.lib import markdown

    Post = apps.get_model("debate", "Post")
    batch = []
    for post in Post.objects.filter(html__isnull=True).only("pk", "text").iterator(chunk_size=2000):
        post.html = markdown.render(post.text)
        batch.append(post)
        if len(batch) >= 2000:
            Post.objects.bulk_update(batch, ["html"])
            batch = []
    if batch:
        Post.objects.bulk_update(batch, ["html"])


class Migration(migrations.Migration):
    dependencies = [("debate", "0004_withheld_personal_data")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="html",
            field=models.TextField(null=True, blank=True, editable=False),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop),
    ]
