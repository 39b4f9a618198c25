"""A faster archive search index (issue 14, 'search p95 under 100 ms').

* SQLite: ``archive_document_fts`` is built again with ``detail=column``: it
  keeps which column a word is in (for the title test) but not every position
  of every word, which the archive never asks for (a query is words, not
  phrases). A common word's entry shrinks from every position in 20,000
  five-page documents to one row per document.
* PostgreSQL: a small ``title_vector`` column beside ``search_vector``, so
  "does the title hold every word" (the first key of the order) reads the
  title's few words instead of decompressing the whole text's vector of every
  match.

Both are filled again from the published versions, as publishing writes them.
"""

from django.db import migrations

from tribune.lib.search import pg_config

FILL_FTS = (
    "INSERT INTO archive_document_fts(rowid, title, body) "
    "SELECT d.id, v.title, v.text FROM archive_document d "
    "JOIN archive_documentversion v ON v.id = d.published_id"
)


def forward(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute("ALTER TABLE archive_document ADD COLUMN title_vector tsvector")
        Document = apps.get_model("archive", "Document")
        languages = Document.objects.values_list("language", flat=True).distinct()
        for language in languages:
            execute(
                "UPDATE archive_document d SET title_vector = to_tsvector(%s::regconfig, v.title) "
                "FROM archive_documentversion v WHERE v.id = d.published_id AND d.language = %s",
                [pg_config(language), language],
            )
    elif schema_editor.connection.vendor == "sqlite":
        execute("DROP TABLE IF EXISTS archive_document_fts")
        execute(
            "CREATE VIRTUAL TABLE archive_document_fts USING fts5(title, body, "
            "tokenize='porter unicode61 remove_diacritics 2', detail=column)"
        )
        execute(FILL_FTS)


def backward(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute("ALTER TABLE archive_document DROP COLUMN IF EXISTS title_vector")
    elif schema_editor.connection.vendor == "sqlite":
        execute("DROP TABLE IF EXISTS archive_document_fts")
        execute(
            "CREATE VIRTUAL TABLE archive_document_fts USING fts5("
            "title, body, tokenize='porter unicode61 remove_diacritics 2')"
        )
        execute(FILL_FTS)


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_search")]

    operations = [migrations.RunPython(forward, backward)]
