"""The chair's close: the result reaches the hall without waiting for the box's resealing."""

import json
from unittest import mock

from tribune.assemblies import services
from tribune.assemblies.tests.test_assembly import _seat, _table
from tribune.elections import sealing
from tribune.elections import services as elections
from tribune.elections.models import Ballot, VoterRoll
from tribune.lib import events

# The congress fixture of test_assembly, reused.
from tribune.assemblies.tests.test_assembly import congress  # noqa: F401  isort: skip


def _voted(world, congress):  # noqa: F811 - the fixture, by name
    motion = _table(world, congress)
    _seat(world, congress)
    vote = services.open_vote(world.eli, congress, motion=motion)
    for member, choice in ((world.ben, "yes"), (world.cam, "no"), (world.ana, "abstain")):
        services.cast_live_vote(member, vote, choice)
    services.cast_live_vote(world.dana, vote, "yes")
    return vote


def test_the_result_goes_out_before_the_roll_is_resealed(
    world,
    congress,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """The roll's reseal and the scrub run after the close commits (sealing.after_close);
    3,000 screens waiting for the result must not wait for them."""
    vote = _voted(world, congress)
    order = []
    with (
        mock.patch.object(events, "_send", lambda _c, m: order.append(json.loads(m)["event"])),
        mock.patch.object(sealing, "after_close", lambda _e: order.append("reseal the roll")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.close_vote(world.eli, vote)
    assert "vote_closed" in order and "reseal the roll" in order
    assert order.index("vote_closed") < order.index("reseal the roll")


def test_a_yes_no_vote_is_counted_by_the_database(world, congress):  # noqa: F811
    """No ballot comes to Python to be counted; the count is the box's."""
    vote = _voted(world, congress)
    with mock.patch.object(elections, "published_box", side_effect=AssertionError):
        services.close_vote(world.eli, vote)
    vote.election.refresh_from_db()
    assert services.vote_counts(vote.election) == {"yes": 2, "no": 1, "abstain": 1}
    assert vote.election.turnout == 4


def test_the_resealed_box_and_roll_hold_the_same_votes_under_new_keys(
    world,
    congress,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    vote = _voted(world, congress)
    box = Ballot.objects.filter(election_id=vote.election_id)
    roll = VoterRoll.objects.filter(election_id=vote.election_id)
    before = {b.pk: (b.tracker, b.choice) for b in box}
    marks = sorted(roll.values_list("member_id", "voted", "weight"))
    roll_ids = set(roll.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.close_vote(world.eli, vote)
    after = {b.pk: (b.tracker, b.choice) for b in box.all()}
    assert sorted(after.values()) == sorted(before.values())
    assert not set(after) & set(before)  # every ballot under a new random key
    assert all(b.key_hash == "" for b in box.all())  # no ballot can be replaced any more
    assert sorted(roll.values_list("member_id", "voted", "weight")) == marks
    assert not set(roll.values_list("pk", flat=True)) & roll_ids
