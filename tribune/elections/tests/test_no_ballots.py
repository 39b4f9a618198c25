"""What an election to office with no ballots does is the constitution's rule, never an accident.

By default no one is elected without a vote, and the office is put to a new
election by the clock. A constitution may instead say that candidates not
exceeding the seats are returned unopposed, without a vote (``uncontested_returns``).
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client

from tribune.constitution.models import ConstitutionVersion
from tribune.elections import services
from tribune.elections.forms import CallElectionForm
from tribune.elections.models import Kind, Status
from tribune.offices.models import Term


def _at(when):
    return mock.patch("django.utils.timezone.now", return_value=when)


def _uncontested_returns(world) -> None:
    ConstitutionVersion.objects.filter(organisation=world.org).update(uncontested_returns=True)


def _stand(election, *members):
    return [services.nominate(m, election, m) for m in members]


def test_with_no_ballots_no_one_is_elected_and_a_new_election_is_called(world, office):
    election = services.call_election(world.ana, office=office)
    _stand(election, world.ben)
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING  # uncontested, but the constitution wants a vote
    election = services.advance(election, election.voting_close_at)
    assert election.status == Status.CERTIFIED
    assert (election.turnout, election.result["elected"]) == (0, [])
    assert election.result["outcome"] == "No ballots were cast: no one is elected."
    assert not Term.objects.filter(office=office).exists()
    called = services.schedule_elections(election.voting_close_at + timedelta(minutes=1))
    assert office in [e.office for e in called]


def test_the_constitution_may_return_candidates_unopposed_without_a_vote(world, office):
    _uncontested_returns(world)
    office.seats = 2
    office.save()
    election = services.call_election(world.ana, office=office)
    _stand(election, world.ben, world.cam)
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.CERTIFIED
    assert election.turnout == 0 and not election.roll.exists()
    assert election.result["elected"] == ["Ben", "Cam"]
    assert election.result["outcome"].startswith("Returned unopposed")
    assert {t.member for t in Term.objects.filter(office=office)} == {world.ben, world.cam}
    entry = world.org.audit_entries.get(action="election.counted")
    assert entry.data["returned_unopposed"] == 2


def test_a_contested_election_is_still_voted_on(world, office):
    _uncontested_returns(world)
    election = services.call_election(world.ana, office=office)
    _stand(election, world.ben, world.cam)
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING
    # ... and with no ballots it elects no one, whatever the constitution says of returns.
    election = services.advance(election, election.voting_close_at)
    assert election.result["elected"] == [] and not Term.objects.filter(office=office).exists()


def test_a_returning_officer_certifies_an_unopposed_return(world, office):
    _uncontested_returns(world)
    election = services.call_election(world.ana, office=office, returning_officer=world.eli)
    _stand(election, world.ben)
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.COUNTED
    assert not Term.objects.filter(office=office).exists()
    election = services.certify(world.eli, election)
    assert election.status == Status.CERTIFIED
    assert Term.objects.get(office=office).member == world.ben


def test_the_members_may_vote_uncontested_returns_into_their_constitution(world):
    election = services.call_election(
        world.ana,
        kind=Kind.AMENDMENT,
        title="Uncontested returns",
        question="Return candidates unopposed when no more stand than there are seats.",
        electorate_branch=world.root,
        amendment={"uncontested_returns": True},
    )
    with _at(election.voting_open_at + timedelta(minutes=1)):
        for voter in (world.ana, world.ben, world.cam, world.dana):
            services.cast_ballot(voter, election, "yes")
    services.advance(election, election.voting_close_at)
    version = world.org.current_constitution()
    assert (version.number, version.uncontested_returns) == (2, True)


def test_the_amendment_form_offers_it_and_the_constitution_shows_it(world):
    form = CallElectionForm(
        {
            "kind": "amendment",
            "question": "Return them unopposed.",
            "amend_uncontested_returns": "yes",
        },
        organisation=world.org,
    )
    assert form.is_valid(), form.errors
    assert form.amendment() == {"uncontested_returns": True}
    blank = CallElectionForm(
        {"kind": "amendment", "question": "Longer terms.", "amend_default_term_days": "400"},
        organisation=world.org,
    )
    assert blank.is_valid() and blank.amendment() == {"default_term_days": 400}
    page = Client().get("/o/test-union/constitution/").content.decode()
    assert "Uncontested elections" in page
    assert "when no ballot is cast, no one is elected" in page
    api = Client().get("/api/v1/organisations/test-union/constitution").json()
    assert api["uncontested_returns"] is False


@pytest.mark.parametrize("returns", [False, True])
def test_an_election_no_one_stands_in_is_still_cancelled(world, office, returns):
    if returns:
        _uncontested_returns(world)
    election = services.call_election(world.ana, office=office)
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.CANCELLED
