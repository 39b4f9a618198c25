"""On SQLite, keep the ballot box in a WITHOUT ROWID table clustered by its random key.

A rowid table numbers ballots 1, 2, 3 ... in the order they were cast and stores
them in that order: an order-revealing key beside a roll that says who voted.
Clustered by the random UUID, storage order is random from the first ballot on.
PostgreSQL has no such option (its heap is always in insertion order, which the
close's reseal scrambles; see tribune/elections/sealing.py); there this does nothing.

Beware: Django rebuilds an SQLite table to alter it, and its rebuild knows nothing
of WITHOUT ROWID. A later migration that alters Ballot must run this rebuild
again; test_secrecy's ``test_the_box_has_no_rowid_on_sqlite`` fails until it does.
"""

from django.db import migrations

TABLE = "elections_ballot"


def _rebuild(schema_editor, without_rowid: bool) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=%s", [TABLE])
        create = cursor.fetchone()[0].rstrip()
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL",
            [TABLE],
        )
        indexes = [row[0] for row in cursor.fetchall()]
    create = create.removesuffix(" WITHOUT ROWID")
    if without_rowid:
        create += " WITHOUT ROWID"
    create = create.replace(f'CREATE TABLE "{TABLE}"', f'CREATE TABLE "{TABLE}__new"', 1)
    columns = '"id", "choice", "tracker", "key_hash", "election_id"'
    for statement in (
        create,
        f'INSERT INTO "{TABLE}__new" ({columns}) SELECT {columns} FROM "{TABLE}" ORDER BY "id"',
        f'DROP TABLE "{TABLE}"',
        f'ALTER TABLE "{TABLE}__new" RENAME TO "{TABLE}"',
        *indexes,
    ):
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _rebuild(schema_editor, without_rowid=True)


def backwards(apps, schema_editor):
    _rebuild(schema_editor, without_rowid=False)


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0004_ranked_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
