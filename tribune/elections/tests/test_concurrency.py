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
REFUSALS = ("You have already voted in this election.", "Too many attempts to vote; wait a minute.")


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
    assert {r.message for r in refused} <= set(REFUSALS)
    assert Ballot.objects.filter(election=election).count() == 1
    assert Ballot.objects.get(election=election).tracker == accepted[0].tracker
    roll = VoterRoll.objects.filter(election=election, member=voter)
    assert roll.count() == 1 and roll.get().voted
    assert VoterRoll.objects.filter(election=election, voted=True).count() == 1
