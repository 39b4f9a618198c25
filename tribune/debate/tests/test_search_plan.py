"""Debate search uses its indexes on PostgreSQL (issue 12): checked with EXPLAIN.

With a handful of rows PostgreSQL would scan the table whatever the query, so
the test forbids sequential scans for the transaction: a query shape that can
be answered from the indexes then shows them in its plan and no scan, and one
that cannot (``text matches OR thread in (titles matching)``) still shows a scan.
"""

import pytest
from django.db import connection, transaction

from tribune.debate import services

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the indexes are PostgreSQL's (SQLite uses FTS5)"
)


def test_search_reads_the_post_index(world):
    thread = services.open_thread(world.ben, world.org, title="Rent strike", text="Opening.")
    services.reply(world.cam, thread, "Solidarity with the tenants")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        found = services.search(world.ana, world.org, "tenant")
        plan = found.explain()
        assert [p.text for p in found] == ["Solidarity with the tenants"]
    assert "debate_post_search" in plan, plan
    # Nothing needs a table scan; the old OR shape still did (every organisation's
    # thread titles, under a sequential scan's prohibitive cost), checked by hand.
    assert "Seq Scan" not in plan, plan
    # Titles are found too (every post of the thread).
    assert len(services.search(world.ana, world.org, "strike")) == 2
