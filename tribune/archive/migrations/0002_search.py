"""The archive's search index (``tribune.lib.search``).

SQLite: an FTS5 table ``archive_document_fts`` (porter stemming) holding each
document's published title and text, rowid = the document's id. PostgreSQL: a
``search_vector`` column on ``archive_document`` under a GIN index, written in
the document's language. Only published versions are ever indexed.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE archive_document_fts USING fts5("
    "title, body, tokenize='porter unicode61 remove_diacritics 2')",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS archive_document_fts"]
POSTGRES = [
    "ALTER TABLE archive_document ADD COLUMN search_vector tsvector",
    "CREATE INDEX archive_document_search ON archive_document USING gin (search_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS archive_document_search",
    "ALTER TABLE archive_document DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
