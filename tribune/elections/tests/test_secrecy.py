"""Ballots can never be linked to voters: not by keys, not by time, not by order."""

from datetime import timedelta
from unittest import mock

from django.db import connection, models

from tribune.elections import services
from tribune.elections.models import Ballot, VoterRoll
from tribune.members.services import admit_member, apply_for_membership


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
