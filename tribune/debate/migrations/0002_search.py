"""Full-text search of debate posts: FTS5 on SQLite, a GIN index on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE debate_post_fts USING fts5(text, title)",
    """CREATE TRIGGER debate_post_fts_insert AFTER INSERT ON debate_post BEGIN
         INSERT INTO debate_post_fts(rowid, text, title)
         VALUES (new.id, new.text, (SELECT title FROM debate_thread WHERE id = new.thread_id));
       END""",
    """CREATE TRIGGER debate_post_fts_update AFTER UPDATE OF text ON debate_post BEGIN
         UPDATE debate_post_fts SET text = new.text WHERE rowid = new.id;
       END""",
    """CREATE TRIGGER debate_post_fts_delete AFTER DELETE ON debate_post BEGIN
         DELETE FROM debate_post_fts WHERE rowid = old.id;
       END""",
    """CREATE TRIGGER debate_thread_fts_title AFTER UPDATE OF title ON debate_thread BEGIN
         UPDATE debate_post_fts SET title = new.title
         WHERE rowid IN (SELECT id FROM debate_post WHERE thread_id = new.id);
       END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS debate_thread_fts_title",
    "DROP TRIGGER IF EXISTS debate_post_fts_delete",
    "DROP TRIGGER IF EXISTS debate_post_fts_update",
    "DROP TRIGGER IF EXISTS debate_post_fts_insert",
    "DROP TABLE IF EXISTS debate_post_fts",
]
POSTGRES = [
    "CREATE INDEX debate_post_search ON debate_post USING gin (to_tsvector('simple', text))"
]
POSTGRES_REVERSE = ["DROP INDEX IF EXISTS debate_post_search"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("debate", "0001_initial")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
