"""Archive search reads its indexes (issue 14, search p95 under 100 ms): checked with EXPLAIN.

PostgreSQL: the match comes from the GIN index over ``search_vector`` (never a
table scan testing each document's TOASTed vector) and the order from the small
``title_vector``. SQLite: the FTS5 table, documents read by rowid.
"""

from django.db import connection, transaction

from tribune.archive import services


def test_search_is_answered_from_the_index(world, curator):
    for n, title in enumerate(("Rent strike", "Picket lines", "Strike fund")):
        document = services.propose_document(
            world.ben, world.org, title=title, text=f"Striking tenants, report {n}."
        )
        services.decide(curator, document.versions.get(), publish=True, reason="Fine.")
    documents = services.readable_documents(None, world.org).filter(published__isnull=False)
    found = services.INDEX.search(documents, "strikes", newest="published_at").values_list(
        "pk", flat=True
    )[:50]
    if connection.vendor == "sqlite":
        plan = found.explain()
        assert "archive_document_fts VIRTUAL TABLE" in plan, plan
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            plan = found.explain()
        assert "archive_document_search" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert "title_vector" in plan, plan
    titles = [d.published.title for d in services.search(None, world.org, "strikes")]
    assert titles[:2] == ["Strike fund", "Rent strike"]  # titles holding the word first
    assert titles[2] == "Picket lines"
