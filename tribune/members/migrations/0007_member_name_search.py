"""Finding members by part of their name uses an index on PostgreSQL (issue 12).

The directory's search and every member picker filter ``name__icontains``:
``UPPER(name) LIKE '%ANA%'``, which no b-tree can answer, so PostgreSQL read all
100,000 members of the organisation (90 ms). A trigram index on ``UPPER(name)``
answers it (0.1–4 ms; ``pg_trgm`` ships with PostgreSQL and is a trusted
extension, so the database's owner may create it). Where the extension cannot
be created the search still works, unindexed, and the migration says so. SQLite
has no such index: its ``LIKE`` over the same rows takes 20–30 ms.
"""

from django.db import migrations, transaction

INDEX = "member_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001 (any refusal: go on without the index)
        print(f"\n  members: no pg_trgm ({error}); member search by name stays unindexed")
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON members_member "
        "USING gin (UPPER(name::text) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("members", "0006_monthly_standing")]

    operations = [migrations.RunPython(create, drop)]
