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

* the box AND the roll of the election are deleted and rewritten in a random
  order, in one transaction: on PostgreSQL every rewritten row has the same
  ``xmin`` and a ``ctid`` in random order, on SQLite the roll gets new rowids in
  random order;
* once committed, ``scrub`` truncates SQLite's WAL (whose frames hold each
  commit's pages in casting order) and VACUUMs the two tables on PostgreSQL so
  the dead versions written by casts are reclaimed. Both are best effort: a
  failure is logged, never raised (the result stands), and the next close tries
  again.
"""

import logging
import random

from django.db import DatabaseError, connection, transaction

from tribune.elections.models import Ballot, Election, VoterRoll

logger = logging.getLogger(__name__)

TABLES = (Ballot._meta.db_table, VoterRoll._meta.db_table)


def reseal(election: Election) -> None:
    """Rewrite the election's box and roll in random order, then scrub once committed.

    Called inside the counting transaction. Replacement keys are dropped with the
    old rows: once voting has closed no ballot may be replaced.
    """
    shuffle = random.SystemRandom().shuffle
    ballots = list(Ballot.objects.filter(election=election).values("choice", "tracker"))
    roll = list(VoterRoll.objects.filter(election=election).values("member_id", "voted", "weight"))
    shuffle(ballots)
    shuffle(roll)
    Ballot.objects.filter(election=election).delete()
    VoterRoll.objects.filter(election=election).delete()
    Ballot.objects.bulk_create(
        [Ballot(election=election, choice=b["choice"], tracker=b["tracker"]) for b in ballots]
    )
    VoterRoll.objects.bulk_create([VoterRoll(election=election, **entry) for entry in roll])
    transaction.on_commit(scrub)


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
