"""A ballot cast while the chair closes the vote is counted or refused, never left out.

Threads on a real database (SQLite file or PostgreSQL): the cast is held after
writing its ballot and before committing, while the close runs.
"""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from tribune.assemblies import services
from tribune.assemblies.models import Assembly, LiveVote
from tribune.assemblies.tests.sitting import begin
from tribune.elections.models import Ballot, Election, VoterRoll
from tribune.elections.services import casting
from tribune.lib.errors import RuleViolation
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office


def _vote(world) -> LiveVote:
    body = create_body(world.org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    now = timezone.now()
    assembly = services.convene(
        world.ana,
        world.root,
        title="Congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(days=1),
        motions_deadline=now + timedelta(hours=1),
        chair=world.eli,
    )
    motion = services.table_motion(world.ben, assembly, title="Rents", text="1. Freeze rents.")
    begin(world.eli, assembly)
    return services.open_vote(world.eli, assembly, motion=motion)


def _fresh(vote: LiveVote) -> LiveVote:
    return LiveVote.objects.select_related("assembly").get(pk=vote.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("held", ["after writing the ballot", "after checking the vote is open"])
def test_a_ballot_racing_the_close_is_counted_or_refused(live_world, held):
    world = live_world
    vote = _vote(world)
    services.cast_live_vote(world.ana, _fresh(vote), "yes")

    written, go_on = threading.Event(), threading.Event()

    def holding(original):
        def held_call(*args, **kwargs):
            result = original(*args, **kwargs)
            if threading.current_thread().name == "caster":
                written.set()
                go_on.wait(20)
            return result

        return held_call

    if held == "after writing the ballot":
        hold = mock.patch.object(casting, "insert_ballots", holding(casting.insert_ballots))
    else:  # the cast has checked, under the election row's lock; only the commit is left
        hold = mock.patch.object(services.ballots, "channel", holding(services.channel))

    outcome: dict[str, object] = {}

    def cast() -> None:
        try:
            outcome["cast"] = services.cast_live_vote(world.ben, _fresh(vote), "no")
        except RuleViolation as refused:
            outcome["cast"] = refused
        finally:
            connection.close()

    def close() -> None:
        try:
            services.close_vote(world.eli, _fresh(vote))
            outcome["close"] = "closed"
        finally:
            connection.close()

    with hold:
        caster = threading.Thread(target=cast, name="caster")
        caster.start()
        assert written.wait(20)
        closer = threading.Thread(target=close)
        closer.start()
        # SQLite: the close waits for the cast's write transaction. PostgreSQL: the
        # close counts now if the cast holds no lock on the election yet, else waits.
        closer.join(2)
        go_on.set()
        caster.join(30)
        closer.join(30)

    assert outcome["close"] == "closed"
    election = Election.objects.get(pk=vote.election_id)
    counted = sum(services.vote_counts(election).values())
    in_box = Ballot.objects.filter(election=election).count()
    marked = VoterRoll.objects.filter(election=election, voted=True).count()
    assert counted == in_box == marked
    if connection.vendor == "postgresql" and held == "after writing the ballot":
        assert isinstance(outcome["cast"], RuleViolation), outcome
        assert outcome["cast"].message == "Voting is not open."
        assert counted == 1
    else:
        assert outcome["cast"] == 1 and counted == 2
