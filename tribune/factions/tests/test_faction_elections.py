"""A faction's offices are its own: stood for, nominated, seconded and elected by its members.

The organisation's officers have no say in them: they can neither call nor cancel
a faction's election, and no one outside the faction acts for it.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client

from tribune.elections import services as elections
from tribune.elections.models import Status
from tribune.factions import services
from tribune.factions.rules import can_see_private_members, faction_term
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.offices.models import Term, TermSource
from tribune.offices.services import begin_term

ORG = "/api/v1/organisations/test-union"


def _convenor(faction):
    return faction.bodies.get().offices.get()


def _election(faction):
    """The convenors' election, called by rule as the clock does."""
    return elections.call_election(None, office=_convenor(faction))


def _at(when):
    return mock.patch("django.utils.timezone.now", return_value=when)


def test_only_the_factions_members_nominate_stand_and_second(world, faction):
    election = _election(faction)
    assert election.faction == faction
    with pytest.raises(NotPermitted, match="Only members of Rent Control Now may nominate"):
        elections.nominate(world.ana, election, world.ana)
    with pytest.raises(RuleViolation, match="Only members of Rent Control Now may stand") as no:
        elections.nominate(world.cam, election, world.ana)
    assert no.value.field == "member"
    assert elections.candidacy_problem(world.ana, election) is not None
    candidacy = elections.nominate(world.dana, election, world.dana)  # a private member stands
    with pytest.raises(NotPermitted, match="electorate may second"):
        elections.second_nomination(world.ana, candidacy)
    elections.second_nomination(world.cam, candidacy)
    assert not election.candidacies.filter(member=world.ana).exists()


def test_the_organisations_officers_neither_call_nor_cancel_a_factions_election(world, faction):
    with pytest.raises(NotPermitted, match="No current mandate of yours in Rent Control Now"):
        elections.call_election(world.ana, office=_convenor(faction))  # ana has call_elections
    election = _election(faction)
    with pytest.raises(NotPermitted, match="No current mandate of yours in Rent Control Now"):
        elections.cancel_election(world.ana, election, "We dislike their line.")
    election.refresh_from_db()
    assert election.status == Status.NOMINATIONS and not election.cancelled_reason
    with pytest.raises(NotPermitted, match="No current mandate of yours in Rent Control Now"):
        elections.cancel_election(world.cam, election, "I would lose.")  # a member, no office
    cancelled = elections.cancel_election(world.ben, election, "We merge the offices.")
    assert cancelled.status == Status.CANCELLED


def test_no_mandate_cancels_a_dissolution_or_a_recall_vote(world, faction, office):
    dissolution = services.propose_dissolution(world.cam, faction, "Our work is done.")
    for who in (world.ana, world.ben):
        with pytest.raises(NotPermitted, match="no one can cancel it"):
            elections.cancel_election(who, dissolution, "Not now.")
    term = begin_term(office, world.ana, source=TermSource.ELECTION)
    petition = elections.open_recall_petition(world.ben, term, "Cancels votes she dislikes.")
    petition.refresh_from_db()
    with pytest.raises(NotPermitted, match="recall vote cannot be cancelled"):
        elections.cancel_election(world.ana, petition.election, "Frivolous.")
    petition.election.refresh_from_db()
    assert petition.election.status == Status.VOTING


def test_the_takeover_over_the_api_is_refused(world, faction):
    election = _election(faction)
    ana, cam = Client(), Client()
    ana.force_login(world.users["ana"])
    cam.force_login(world.users["cam"])
    path = f"{ORG}/elections/{election.pk}"
    body = {"member_id": world.ana.pk}
    own = ana.post(f"{path}/candidacies", body, content_type="application/json")
    assert own.status_code == 403
    assert own.json()["detail"][0]["reason"] == (
        "Only members of Rent Control Now may nominate for its offices."
    )
    by_member = cam.post(f"{path}/candidacies", body, content_type="application/json")
    assert by_member.status_code == 400
    assert by_member.json()["detail"] == [
        {"field": "member", "reason": "Only members of Rent Control Now may stand for its offices."}
    ]
    cancel = ana.post(f"{path}/cancel", {"reason": "Mine."}, content_type="application/json")
    assert cancel.status_code == 403
    election.refresh_from_db()
    assert election.status == Status.NOMINATIONS and not election.candidacies.exists()


def test_a_lone_candidate_no_one_votes_for_is_not_elected(world, faction):
    election = _election(faction)
    elections.nominate(world.cam, election, world.cam)
    election = elections.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING
    election = elections.advance(election, election.voting_close_at)
    assert election.status == Status.CERTIFIED and election.turnout == 0
    assert election.result["elected"] == []
    assert election.result["outcome"] == "No ballots were cast: no one is elected."
    assert not Term.objects.filter(member=world.cam, office=_convenor(faction)).exists()
    assert not can_see_private_members(world.cam, faction)


def test_only_the_factions_members_vote_and_the_winner_takes_office(world, faction):
    election = _election(faction)
    candidacy = elections.nominate(world.cam, election, world.cam)
    election = elections.advance(election, election.voting_open_at)
    assert set(election.roll.values_list("member__name", flat=True)) == {
        "Ben",
        "Cam",
        "Eli",
        "Dana",
    }
    with _at(election.voting_open_at + timedelta(minutes=1)):
        with pytest.raises(NotPermitted, match="voter roll"):
            elections.cast_ballot(world.ana, election, [candidacy.pk])
        elections.cast_ballot(world.eli, election, [candidacy.pk])
    election = elections.advance(election, election.voting_close_at)
    assert election.result["elected"] == ["Cam"]
    assert Term.objects.filter(member=world.cam, office=_convenor(faction)).exists()


def test_no_one_outside_the_faction_acts_for_it_whatever_term_they_hold(world, faction):
    # A term in a faction's office held by a non-member (written as older code could).
    Term.objects.create(
        office=_convenor(faction),
        member=world.ana,
        starts_at=faction.registered_at,
        ends_at=faction.registered_at + timedelta(days=30),
        source=TermSource.ELECTION,
    )
    assert not can_see_private_members(world.ana, faction)
    with pytest.raises(NotPermitted, match="Only members of Rent Control Now act for it"):
        faction_term(world.ana, faction, "see_private_members")
    assert can_see_private_members(world.ben, faction)
    services.leave_faction(world.ben, faction)  # the convenor leaves: the power goes with him
    assert not can_see_private_members(world.ben, faction)


def test_the_election_page_offers_cancelling_only_to_the_factions_officers(world, faction):
    election = _election(faction)
    pages = {}
    for who in ("ana", "ben"):
        client = Client()
        client.force_login(world.users[who])
        pages[who] = client.get(f"/o/test-union/elections/{election.pk}/").content.decode()
    assert "Cancel this election" not in pages["ana"]  # the organisation's officer
    assert "Cancel this election" in pages["ben"]  # the faction's convenor
    assert elections.may_cancel(world.ben, election)
    assert not elections.may_cancel(world.ana, election)
    assert not elections.may_cancel(None, election)


def test_whoever_leaves_the_faction_leaves_its_offices_and_candidacies(world, faction):
    convenor = _convenor(faction)
    election = _election(faction)
    candidacy = elections.nominate(world.ben, election, world.ben)
    assert Term.objects.current().filter(office=convenor, member=world.ben).exists()
    services.leave_faction(world.ben, faction)
    term = Term.objects.get(office=convenor, member=world.ben)
    assert not term.is_current() and term.end_reason == "left the faction"
    candidacy.refresh_from_db()
    assert candidacy.withdrawn_at is not None and not candidacy.standing
    # The seat is free again for the members to fill.
    assert elections._seats(convenor, election.voting_close_at)[0].holder_id is None
