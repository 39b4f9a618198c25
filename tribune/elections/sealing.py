"""Sealing the box: what is left on disk can no longer link a ballot to its voter.

A cast writes two rows in one transaction — the voter's mark on the roll and the
ballot — because a ballot, once acknowledged, must be counted exactly once. Rows
carry no time and the ballot's key is a random UUID, but databases keep order of
their own: SQLite's rowid and its write-ahead log (WAL), PostgreSQL's physical
order (``ctid``) and the transaction id that wrote each row version (``xmin``),
and on both the bytes of deleted rows. This module takes that order away.

While the vote is open:

* SQLite keeps the box in a ``WITHOUT ROWID`` table (migration 0005) clustered by
  the random key, so neither rowid nor storage order exists to follow casting
  order; a roll mark is an in-place update of a row laid down, in member order,
  when voting opened. ``PRAGMA secure_delete`` (settings) overwrites deleted rows,
  so a replaced ballot leaves nothing in free pages.
* PostgreSQL cannot be stopped from keeping order during the vote: every row
  version records the transaction that wrote it (``xmin``), the mark and the
  ballot of one cast share it, and new versions are appended in casting order.
  Whoever can read these tables while the vote is open (the operator) can link.
  docs/elections.md says so; nothing here pretends otherwise.

At the close (``count`` calls ``reseal``, in the counting transaction):

* the box is deleted and rewritten in a random order; once the close has
  committed, so is the roll, in one transaction of its own (``reseal`` says
  why): on PostgreSQL every rewritten row of a table has the same ``xmin`` and a
  ``ctid`` in random order, on SQLite the roll gets new rowids in random order;
* then ``scrub`` truncates SQLite's WAL (whose frames hold each
  commit's pages in casting order) and VACUUMs the two tables on PostgreSQL so
  the dead versions written by casts are reclaimed. Both are best effort: a
  failure is logged, never raised (the result stands), and the next close tries
  again.
"""

import logging
import random
import uuid

from django.db import DatabaseError, connection, transaction

from tribune.elections.models import Ballot, Election, VoterRoll

logger = logging.getLogger(__name__)

TABLES = (Ballot._meta.db_table, VoterRoll._meta.db_table)


def reseal(election: Election) -> None:
    """Rewrite the election's box in random order; once committed, the roll too, then scrub.

    Called inside the counting transaction, which holds the election row. The roll
    is rewritten in a transaction of its own after the commit: a cast still in
    flight has marked its roll entry (holding that row) and waits for the election
    row to check voting is open; deleting the roll here would wait for the cast
    while the cast waits for us — a deadlock on PostgreSQL. Once the close has
    committed that cast is refused, rolls back, and the roll can be rewritten.
    Replacement keys are dropped with the old ballots: once voting has closed no
    ballot may be replaced.
    """
    ballot, election_id = Ballot._meta, election.pk
    pk = ballot.pk
    # In SQL, not through model instances: at a congress's close this runs while 3,000
    # screens wait for the result, and building 3,000 instances took most of a second.
    # The values are copied as the database holds them (``choice`` is JSON text on both).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT choice, tracker FROM {ballot.db_table} WHERE election_id = %s", [election_id]
        )
        rows = cursor.fetchall()
        random.SystemRandom().shuffle(rows)
        cursor.execute(f"DELETE FROM {ballot.db_table} WHERE election_id = %s", [election_id])
        choice = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
        cursor.executemany(
            f"INSERT INTO {ballot.db_table} (id, election_id, choice, tracker, key_hash) "
            f"VALUES (%s, %s, {choice}, %s, '')",
            [
                (pk.get_db_prep_value(uuid.uuid4(), connection), election_id, value, tracker)
                for value, tracker in rows
            ],
        )
    transaction.on_commit(lambda: after_close(election_id), robust=True)


def after_close(election_id: int) -> None:
    """Reseal the roll and scrub; never raises (the result has committed and stands)."""
    try:
        reseal_roll(election_id)
    except DatabaseError as exc:
        logger.warning("Voter roll of election %s not resealed: %s", election_id, exc)
    scrub()


@transaction.atomic
def reseal_roll(election_id: int) -> None:
    """Rewrite a closed election's roll in random order (new ids, one transaction)."""
    table = VoterRoll._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT member_id, voted, weight FROM {table} WHERE election_id = %s", [election_id]
        )
        rows = cursor.fetchall()
        random.SystemRandom().shuffle(rows)
        cursor.execute(f"DELETE FROM {table} WHERE election_id = %s", [election_id])
        cursor.executemany(
            f"INSERT INTO {table} (election_id, member_id, voted, weight) VALUES (%s, %s, %s, %s)",
            [(election_id, *row) for row in rows],
        )


def scrub() -> None:
    """After a close has committed: drop what the database still keeps of casting order."""
    if connection.in_atomic_block:  # VACUUM and a WAL checkpoint need autocommit
        logger.info("Ballot box not scrubbed: called inside a transaction (a test's).")
        return
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # Copies every committed page into the database file (where secure_delete
                # has zeroed what was deleted) and truncates the log to nothing.
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = cursor.fetchone()[0]
                if busy:
                    logger.warning("WAL not truncated (readers busy); the next close retries.")
            elif connection.vendor == "postgresql":
                cursor.execute(f"VACUUM {', '.join(TABLES)}")
    except DatabaseError as exc:
        logger.warning("Ballot box not scrubbed after the close: %s", exc)
