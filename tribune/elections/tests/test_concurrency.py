"""One voter, fifty simultaneous attempts to vote: exactly one ballot counts.

Runs against a real database shared by the threads (SQLite file or PostgreSQL),
so the guarantee rests on the database's locking, not on Python's.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tribune.elections import services
from tribune.elections.models import Ballot, Election, VoterRoll
from tribune.lib.errors import RuleViolation
from tribune.offices.models import BodyKind
from tribune.offices.services import create_body, create_office

THREADS = 50
VOTED = "You have already voted in this election."


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_attempts_by_one_voter_count_once(live_world):
    world = live_world
    body = create_body(world.org, name="Executive committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Secretary", mandate="Keep the records.", term_days=365)
    election = services.call_election(world.ana, office=office)
    ben = services.nominate(world.ben, election, world.ben)
    services.advance(election, election.voting_open_at)
    Election.objects.filter(pk=election.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1)
    )
    election = Election.objects.get(pk=election.pk)
    voter = world.cam

    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait(timeout=30)
            receipt = services.cast_ballot(voter, election, [ben.pk])
            outcome: object = receipt
        except RuleViolation as refused:
            outcome = refused
        except Exception as error:  # noqa: BLE001 - any other error is a failure to report
            outcome = error
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == THREADS
    accepted = [o for o in outcomes if isinstance(o, services.Receipt)]
    refused = [o for o in outcomes if isinstance(o, RuleViolation)]
    others = [o for o in outcomes if not isinstance(o, services.Receipt | RuleViolation)]
    assert others == [], others[:3]
    assert len(accepted) == 1
    assert len(refused) == THREADS - 1
    assert all(
        r.message == VOTED or r.message.startswith("Too many attempts to vote; wait ")
        for r in refused
    ), {r.message for r in refused}
    assert Ballot.objects.filter(election=election).count() == 1
    assert Ballot.objects.get(election=election).tracker == accepted[0].tracker
    roll = VoterRoll.objects.filter(election=election, member=voter)
    assert roll.count() == 1 and roll.get().voted
    assert VoterRoll.objects.filter(election=election, voted=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_ballot_racing_the_clocks_close_is_counted_or_refused(live_world):
    """Held after writing its ballot, a cast meets the count: in it, or refused; never after it."""
    from unittest import mock

    world = live_world
    body = create_body(world.org, name="Executive committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Secretary", mandate="Keep the records.", term_days=365)
    election = services.call_election(world.ana, office=office)
    ben = services.nominate(world.ben, election, world.ben)
    services.advance(election, election.voting_open_at)
    Election.objects.filter(pk=election.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1)
    )
    election = Election.objects.get(pk=election.pk)
    written, go_on = threading.Event(), threading.Event()
    create = Ballot.objects.create
    outcome: dict[str, object] = {}

    def held_create(**fields):
        ballot = create(**fields)
        written.set()
        go_on.wait(20)
        return ballot

    def cast() -> None:
        try:
            with mock.patch.object(Ballot.objects, "create", held_create):
                outcome["cast"] = services.cast_ballot(world.cam, election, [ben.pk])
        except RuleViolation as refused:
            outcome["cast"] = refused
        finally:
            connection.close()

    def close() -> None:
        try:
            services.advance(election, election.voting_close_at + timedelta(seconds=1))
        finally:
            connection.close()

    caster = threading.Thread(target=cast)
    caster.start()
    assert written.wait(20)
    closer = threading.Thread(target=close)
    closer.start()
    closer.join(2)  # PostgreSQL: counts now; SQLite: waits for the cast's write transaction
    go_on.set()
    caster.join(30)
    closer.join(30)

    election = Election.objects.get(pk=election.pk)
    assert election.status in {"counted", "certified"}
    in_box = Ballot.objects.filter(election=election).count()
    marked = VoterRoll.objects.filter(election=election, voted=True).count()
    assert election.turnout == in_box == marked
    if connection.vendor == "postgresql":
        assert isinstance(outcome["cast"], RuleViolation), outcome
        assert election.turnout == 0
    else:
        assert isinstance(outcome["cast"], services.Receipt) and election.turnout == 1
