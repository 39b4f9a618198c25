"""The periodic election clock does the lifecycle's work by itself."""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from tribune.elections import services, tasks
from tribune.elections.models import PetitionStatus, Status
from tribune.offices.models import TermSource
from tribune.offices.services import begin_term


def test_clock_tick_opens_voting_and_calls_due_elections(world, office):
    election = services.call_election(world.ana, office=office)
    ben = services.nominate(world.ben, election, world.ben)
    later = election.voting_open_at + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        outcome = tasks.election_clock.call_local()
        services.cast_ballot(world.cam, election, [ben.pk])  # no one is elected without a vote
    election.refresh_from_db()
    assert election.status == Status.VOTING
    assert outcome == {
        "advanced": 1,
        "lapsed_petitions": 0,
        "structures_put_to_members": 0,
        "structures_lapsed": 0,
        "called": 0,
    }
    # On day 49, voting has closed (count, certify: ben takes office). The
    # provisional committee's 90-day terms are within the 42-day lead time, but
    # they lapse: the clock calls no election to continue them.
    day_49 = election.voting_close_at + timedelta(days=21)
    with mock.patch("django.utils.timezone.now", return_value=day_49):
        outcome = tasks.election_clock.call_local()
    election.refresh_from_db()
    assert election.status == Status.CERTIFIED
    assert world.ben.terms.filter(office=office).exists()
    assert outcome == {
        "advanced": 1,
        "lapsed_petitions": 0,
        "structures_put_to_members": 0,
        "structures_lapsed": 0,
        "called": 0,
    }


def test_petitions_against_ended_terms_lapse(world, office):
    term = begin_term(office, world.ben, source=TermSource.ELECTION, days=10)
    for i in range(20):
        world.ben.__class__.objects.create(
            organisation=world.org, name=f"X{i}", home_branch=world.root, standing="good"
        )
    petition = services.open_recall_petition(world.cam, term, "Absent.")
    assert petition.status == PetitionStatus.OPEN
    assert services.lapse_petitions(timezone.now() + timedelta(days=11)) == 1
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.LAPSED
