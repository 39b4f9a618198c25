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
    ballots = list(Ballot.objects.filter(election=election).values("choice", "tracker"))
    random.SystemRandom().shuffle(ballots)
    Ballot.objects.filter(election=election).delete()
    Ballot.objects.bulk_create(
        [Ballot(election=election, choice=b["choice"], tracker=b["tracker"]) for b in ballots]
    )
    election_id = election.pk
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
    roll = VoterRoll.objects.filter(election_id=election_id)
    entries = list(roll.values("member_id", "voted", "weight"))
    random.SystemRandom().shuffle(entries)
    roll.delete()
    VoterRoll.objects.bulk_create([VoterRoll(election_id=election_id, **e) for e in entries])


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
