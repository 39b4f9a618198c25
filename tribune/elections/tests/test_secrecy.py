"""Ballots can never be linked to voters: not by keys, not by time, not by order."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection, models
from django.utils import timezone

from tribune.elections import services
from tribune.elections.models import Ballot, Election, VoterRoll
from tribune.members.services import admit_member, apply_for_membership
from tribune.offices.models import BodyKind
from tribune.offices.services import create_body, create_office


def test_roll_and_box_share_nothing_but_the_election():
    ballot_fields = {f.name: f for f in Ballot._meta.get_fields()}
    roll_fields = {f.name: f for f in VoterRoll._meta.get_fields()}
    for fields in (ballot_fields, roll_fields):
        assert not any(isinstance(f, models.DateTimeField | models.DateField | models.TimeField)
                       for f in fields.values())  # fmt: skip
    related = {f.related_model for f in ballot_fields.values() if f.is_relation and f.related_model}
    assert related == {Ballot._meta.get_field("election").related_model}
    assert isinstance(ballot_fields["id"], models.UUIDField)
    shared = (set(ballot_fields) & set(roll_fields)) - {"id"}
    assert shared == {"election"}


def test_storage_order_after_counting_does_not_follow_casting_order(world, office):
    election = services.call_election(world.ana, office=office)
    cands = [services.nominate(m, election, m) for m in (world.ben, world.cam)]
    voters = []
    for i in range(30):
        m = apply_for_membership(
            world.org, user=None, name=f"V{i}", email=f"v{i}@test.org", branch=world.north
        )
        admit_member(world.ana, m)
        voters.append(m)
    election = services.advance(election, election.voting_open_at)
    cast_order = []
    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(minutes=1)
    ):
        for i, voter in enumerate(voters):
            receipt = services.cast_ballot(voter, election, [cands[i % 2].pk])
            cast_order.append(receipt.tracker)
    services.advance(election, election.voting_close_at)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tracker FROM elections_ballot WHERE election_id = %s", [election.pk])
        stored = [row[0] for row in cursor.fetchall()]
    assert sorted(stored) == sorted(cast_order)
    assert stored != cast_order  # 1 in 30! chance of a false failure
    published = [b["tracker"] for b in services.published_box(election)]
    assert published != cast_order and sorted(published) == sorted(cast_order)


def test_the_box_has_no_rowid_on_sqlite(db):
    """On SQLite a rowid numbers ballots in casting order; the box is clustered by its random key.

    Django rebuilds a table to alter it on SQLite and drops WITHOUT ROWID: a migration
    altering Ballot must rebuild it again (see elections migration 0005).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'elections_ballot'")
            assert cursor.fetchone()[0].endswith("WITHOUT ROWID")
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1
        else:  # PostgreSQL has no rowid; its heap order is scrambled at the close
            cursor.execute("SELECT COUNT(*) FROM elections_ballot")


@pytest.mark.django_db(transaction=True)
def test_deleted_ballot_data_leaves_no_bytes_behind(live_world):
    """What the close and a replacement delete is overwritten, and the WAL is truncated.

    Replacement keys' hashes (bound to the voter) and a replaced ballot are deleted;
    secure_delete zeroes them, and the scrub after the close truncates the WAL
    that held them. Without secure_delete they stay in the file's free space.
    """
    world = live_world
    body = create_body(world.org, name="Executive committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Secretary", mandate="Keep the records.", term_days=365)
    election = services.call_election(world.ana, office=office)
    ben = services.nominate(world.ben, election, world.ben)
    cam = services.nominate(world.cam, election, world.cam)
    voters = []
    for i in range(12):
        m = apply_for_membership(
            world.org, user=None, name=f"V{i}", email=f"v{i}@test.org", branch=world.north
        )
        admit_member(world.ana, m)
        voters.append(m)
    election = services.advance(election, election.voting_open_at)
    Election.objects.filter(pk=election.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1)
    )
    receipts = [services.cast_ballot(v, election, [ben.pk]) for v in voters]
    replaced = services.cast_ballot(voters[0], election, [cam.pk], key=receipts[0].key)
    gone = [receipts[0].tracker.encode()] + [
        services._key_hash(r.key, v).encode() for r, v in zip(receipts, voters, strict=True)
    ]
    gone.append(services._key_hash(replaced.key, voters[0]).encode())
    services.advance(election, election.voting_close_at)
    assert not Ballot.objects.filter(tracker=receipts[0].tracker).exists()
    assert not Ballot.objects.filter(election=election).exclude(key_hash="").exists()
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        wal = Path(f"{name}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        data = name.read_bytes()
        assert replaced.tracker.encode() in data  # the file is readable, the search is real
        assert [g for g in gone if g in data] == []
