"""Factions: founded by signatures, permanent, private where members choose."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.elections import services as elections
from tribune.elections.models import Kind, Method
from tribune.factions import services
from tribune.factions.models import FactionStatus, Visibility
from tribune.factions.rules import public_factions_of, visible_memberships
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.offices.powers import FACTION_POWERS, POWERS

PLATFORM = "## For rent control\n\nWe organise for a legal cap on rents."


def _found(world, *members):
    faction = services.propose_faction(
        members[0], world.org, name="Rent Control Now", platform=PLATFORM
    )
    for member in members[1:]:
        services.sign_founding(member, faction)
    faction.refresh_from_db()
    return faction


def test_below_the_threshold_a_faction_cannot_register(world):
    faction = _found(world, world.ben, world.cam)  # threshold is 3
    assert faction.status == FactionStatus.PROPOSED
    with pytest.raises(RuleViolation, match="not registered"):
        services.join_faction(world.ana, faction, visibility=Visibility.PUBLIC)
    with pytest.raises(RuleViolation, match="already signed"):
        services.sign_founding(world.cam, faction)
    services.sign_founding(world.eli, faction)
    faction.refresh_from_db()
    assert faction.status == FactionStatus.REGISTERED
    assert faction.memberships.count() == 3
    convenor = faction.bodies.get().offices.get()
    assert convenor.terms.get().member == world.ben  # the proposer, provisionally


def test_no_power_anywhere_lets_an_officer_dissolve_or_suspend_a_faction():
    for registry in (POWERS, FACTION_POWERS):
        for power in registry:
            assert "faction" not in power or power in {"see_private_members"}, power
            assert "dissolve" not in power and "suspend_faction" not in power
    import tribune.factions.services as faction_services

    public = [n for n in dir(faction_services) if not n.startswith("_")]
    # The only way to dissolve is the members' vote or the threshold lapse, and
    # neither takes an officer: dissolve() has no actor parameter to check.
    import inspect

    assert "actor" not in inspect.signature(faction_services.dissolve).parameters
    assert "propose_dissolution" in public


def test_only_the_factions_members_can_propose_dissolution_and_it_is_their_vote(world):
    faction = _found(world, world.ben, world.cam, world.eli)
    with pytest.raises(NotPermitted, match="own members"):
        services.propose_dissolution(world.ana, faction, "Officers want it gone.")
    election = services.propose_dissolution(world.ben, faction, "Our work is done.")
    assert election.kind == Kind.DISSOLUTION and election.method == Method.YES_NO
    assert election.roll.count() == 3  # the faction's members only
    from unittest import mock

    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(minutes=1)
    ):
        with pytest.raises(NotPermitted, match="voter roll"):
            elections.cast_ballot(world.ana, election, "yes")
        for member in (world.ben, world.cam):
            elections.cast_ballot(member, election, "yes")
    elections.advance(election, election.voting_close_at)
    faction.refresh_from_db()
    assert faction.status == FactionStatus.DISSOLVED
    assert "members' vote" in faction.dissolved_how


def test_private_membership_is_seen_only_by_the_member_and_the_factions_officers(world):
    faction = _found(world, world.ben, world.cam, world.eli)
    services.set_visibility(world.ben, faction, Visibility.PUBLIC)
    services.join_faction(world.dana, faction, visibility=Visibility.PRIVATE)
    seen_by = {
        who: {m.member for m in visible_memberships(getattr(world, who), faction)}
        for who in ("ana", "dana", "ben")
    }
    assert world.dana not in seen_by["ana"]  # an officer of the organisation sees nothing
    assert world.dana in seen_by["dana"]  # the member herself
    assert world.dana in seen_by["ben"]  # the faction's convenor (see_private_members)
    assert public_factions_of(world.dana) == []
    assert public_factions_of(world.ben) == [faction]
    entries = world.org.audit_entries.filter(action="faction.joined")
    assert entries.get().actor is None  # the private joining names no one in the audit log


def test_constitution_can_make_factions_exclusive_and_membership_public(world):
    from tribune.constitution.models import ConstitutionVersion

    first = _found(world, world.ben, world.cam, world.eli)
    second = services.propose_faction(world.ana, world.org, name="Other", platform="Other.")
    for m in (world.dana, world.cam):
        services.sign_founding(m, second)
    ConstitutionVersion.objects.filter(organisation=world.org).update(
        factions_exclusive=True, private_faction_membership=False
    )
    with pytest.raises(RuleViolation, match="one faction at a time"):
        services.join_faction(world.ana, first, visibility=Visibility.PUBLIC)
    with pytest.raises(RuleViolation, match="makes faction membership public"):
        services.set_visibility(world.ben, first, Visibility.PRIVATE)


def test_below_threshold_for_the_grace_period_a_faction_lapses_and_can_recover(world):
    faction = _found(world, world.ben, world.cam, world.eli)
    services.leave_faction(world.eli, faction)
    faction.refresh_from_db()
    assert faction.below_threshold_since is not None
    services.join_faction(world.ana, faction, visibility=Visibility.PUBLIC)
    faction.refresh_from_db()
    assert faction.below_threshold_since is None  # recovered
    services.leave_faction(world.ana, faction)
    assert services.check_thresholds(timezone.now() + timedelta(days=89)) == 0
    assert services.check_thresholds(timezone.now() + timedelta(days=91)) == 1
    faction.refresh_from_db()
    assert faction.status == FactionStatus.DISSOLVED


def test_platform_statements_and_endorsements_need_the_factions_mandate(world, office):
    faction = _found(world, world.ben, world.cam, world.eli)
    with pytest.raises(NotPermitted):
        services.publish_platform(world.cam, faction, "New line.")
    version = services.publish_platform(world.ben, faction, "## Rent control\n\nAnd repairs.")
    assert version.number == 2 and faction.current_platform() == version
    services.publish_statement(world.ben, faction, title="On the strike", text="We back it.")
    election = elections.call_election(world.ana, office=office)
    candidacy = elections.nominate(world.cam, election, world.cam)
    services.endorse(world.ben, faction, candidacy)
    with pytest.raises(RuleViolation, match="already endorses"):
        services.endorse(world.ben, faction, candidacy)
    with pytest.raises(NotPermitted):
        services.endorse(world.cam, faction, candidacy)


def test_faction_officers_powers_reach_only_their_faction(world):
    from tribune.offices.rules import has_power

    _found(world, world.ben, world.cam, world.eli)
    assert not any(has_power(world.ben, p) for p in POWERS)


def test_proportionality_report_after_a_multi_seat_election(world, office):
    from unittest import mock

    from tribune.members.services import admit_member, apply_for_membership

    office.seats = 2
    office.save()
    election = elections.call_election(world.ana, office=office, method=Method.SCOTTISH_STV)
    people = {"Left": world.ben, "Right": world.cam, "": world.eli}
    cands = {}
    for label, member in people.items():
        c = elections.nominate(member, election, member)
        elections.accept_nomination(member, c, faction_label=label)
        cands[label] = c.pk
    voters = []
    for i in range(10):
        m = apply_for_membership(
            world.org, user=None, name=f"P{i}", email=f"p{i}@test.org", branch=world.north
        )
        admit_member(world.ana, m)
        voters.append(m)
    election = elections.advance(election, election.voting_open_at)
    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(minutes=1)
    ):
        for i, voter in enumerate(voters):
            label = "Left" if i < 6 else ("Right" if i < 9 else "")
            elections.cast_ballot(voter, election, [cands[label]])
    election = elections.advance(election, election.voting_close_at)
    report = {r["faction"]: r for r in services.proportionality(election)}
    assert report["Left"]["first_preferences"] == 6 and report["Left"]["seats"] == 1
    assert report["Right"]["seats"] == 1 and report["Right"]["vote_share"] == "30.0"
    assert report["No declared faction"]["seats"] == 0


def test_founders_other_than_the_proposer_are_not_named_in_the_public_log(world):
    faction = _found(world, world.ben, world.cam, world.eli)
    assert not world.org.audit_entries.filter(action="faction.signed").exclude(actor=None)
    registered = world.org.audit_entries.get(action="faction.registered")
    assert registered.data["founders"] == 3
    visibility = {m.member: m.visibility for m in faction.memberships.all()}
    assert visibility[world.ben] == Visibility.PUBLIC  # the proposer, convenor
    assert visibility[world.cam] == visibility[world.eli] == Visibility.PRIVATE


def test_proportionality_is_refused_before_the_count(world, office):
    office.seats = 2
    office.save()
    election = elections.call_election(world.ana, office=office, method=Method.SCOTTISH_STV)
    with pytest.raises(RuleViolation, match="after a multi-seat election is counted"):
        services.proportionality(election)


def test_erasure_removes_faction_memberships(world):
    from tribune.members.services import erase

    faction = _found(world, world.ben, world.cam, world.eli)
    erase(world.cam)
    assert not faction.memberships.filter(member=world.cam).exists()
