"""Debate search matches words as the archive does (issue 14: one search layer, stemmed).

``strikes`` finds ``strike`` and ``strikers``, ``huelgas`` finds ``huelga``:

* SQLite: ``debate_post_fts`` is built again with the archive's tokenizer
  (``porter unicode61 remove_diacritics 2``, ``detail=column``: a query is words,
  never phrases) and filled from the posts (a hidden post's text left out, as
  the triggers of 0004 keep it). The triggers name the table, not its tokenizer,
  and stay as they are.
* PostgreSQL: a post's language is not known, so its text is stemmed in each
  language the server offers (English and Spanish) and the query is read in
  each (``tribune.debate.services.INDEX``). The partial GIN index is that
  expression; 'simple' before, which matched words only letter for letter.

A language added to ``settings.LANGUAGES`` needs a migration like this one
(``test_every_offered_language_is_stemmed`` says so).
"""

from django.db import migrations

FILL = (
    "INSERT INTO debate_post_fts(rowid, text, title) "
    "SELECT p.id, CASE WHEN p.hidden THEN '' ELSE p.text END, t.title "
    "FROM debate_post p JOIN debate_thread t ON t.id = p.thread_id"
)


def _sqlite(columns: str) -> list[str]:
    return [
        "DROP TABLE IF EXISTS debate_post_fts",
        f"CREATE VIRTUAL TABLE debate_post_fts USING fts5({columns})",
        FILL,
    ]


SQLITE = _sqlite("text, title, tokenize='porter unicode61 remove_diacritics 2', detail=column")
SQLITE_REVERSE = _sqlite("text, title")
POSTGRES = [
    "DROP INDEX IF EXISTS debate_post_search",
    "CREATE INDEX debate_post_search ON debate_post USING gin "
    "((to_tsvector('english', text) || to_tsvector('spanish', text))) WHERE NOT hidden",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS debate_post_search",
    "CREATE INDEX debate_post_search ON debate_post USING gin (to_tsvector('simple', text))"
    " WHERE NOT hidden",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("debate", "0005_post_html")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
