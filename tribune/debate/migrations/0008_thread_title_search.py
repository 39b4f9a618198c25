"""Thread titles found from an index on PostgreSQL (issue 12: search that uses its index).

Debate search unites the posts whose text matches (``debate_post_search``) with
the posts of threads whose title matches; the titles had no index, so each
search stemmed all 2,000 titles of the organisation in both languages (38 ms of
the 118 a common word took). This is that expression's GIN index, written
exactly as ``tribune.lib.search.any_language`` writes the query. SQLite keeps each
post's thread title in its FTS5 table (0006) and needs nothing.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS debate_thread_title_search ON debate_thread USING gin "
    "((to_tsvector('english', title) || to_tsvector('spanish', title)))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS debate_thread_title_search")


class Migration(migrations.Migration):
    dependencies = [("debate", "0007_post_recent")]
    operations = [migrations.RunPython(create, drop)]
