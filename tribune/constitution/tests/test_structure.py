"""The structure is constitution data: set up provisionally, adopted by members, guaranteed."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tribune.constitution import services
from tribune.constitution import structure as structures
from tribune.constitution.presets import PRESETS
from tribune.elections import amendments
from tribune.elections import services as elections
from tribune.elections.models import Election, Kind, Method, Status
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.offices.models import Body, Office, Term, TermSource
from tribune.offices.services import begin_term

MANDATE = "Carry out the decisions of the members between congresses, and report on them."


def _executive_and_secretary(org):
    version = org.current_constitution()
    structure, key = structures.add_body([], name="Executive committee", kind="committee")
    structure, _ = structures.put_office(
        structure, version, key, title="Executive member", mandate=MANDATE, seats=5
    )
    structure, _ = structures.put_office(
        structure, version, key, title="Secretary", mandate="Keep the records.", seats=1
    )
    return structure


def test_the_provisional_committee_sets_up_the_first_structure_and_elections_follow(world):
    version = services.set_up_structure(
        world.ana, world.org, _executive_and_secretary(world.org), summary="first structure"
    )
    assert version.number == 2 and version.structure_provisional_until is not None
    # It lapses when the provisional committee's terms end, unless the members adopt it.
    assert version.structure_provisional_until == services.provisional_period_end(world.org)
    executive = Office.objects.get(body__slug="executive-committee", key="executive-member")
    secretary = Office.objects.get(body__slug="executive-committee", key="secretary")
    assert (executive.seats, executive.method) == (5, Method.SCOTTISH_STV)
    assert (secretary.seats, secretary.method) == (1, Method.IRV)
    called = {e.office: e for e in elections.schedule_elections()}
    assert set(called) == {executive, secretary}  # never the provisional offices
    assert called[executive].method == Method.SCOTTISH_STV and called[executive].seats == 5
    assert called[secretary].method == Method.IRV
    # The act is on the record, under the founder's provisional mandate.
    entry = world.org.audit_entries.filter(action="constitution.adopted").order_by("-pk").first()
    assert entry.actor_id == world.ana.pk and entry.data["provisional"] is True


def test_only_the_provisional_committee_sets_it_up(world):
    for who in (world.ben, world.eli):  # a member; a provisional appeals committee member
        with pytest.raises(NotPermitted):
            services.set_up_structure(who, world.org, [], summary="x")


def test_once_members_adopted_a_structure_change_needs_an_amendment(world):
    structure = _executive_and_secretary(world.org)
    services.set_up_structure(world.ana, world.org, structure, summary="first")
    services.adopt(world.org, {"structure": structure}, how="Adopted by members' vote: test")
    assert world.org.current_constitution().structure_provisional_until is None
    with pytest.raises(RuleViolation, match="only by a constitutional amendment"):
        services.set_up_structure(world.ana, world.org, [], summary="undo it")
    assert Office.objects.filter(key="secretary", abolished_at__isnull=True).exists()


def test_outside_the_provisional_period_the_committee_cannot_change_the_structure(world):
    after = timezone.now() + timedelta(days=91)  # the provisional terms (90 days) are over
    with mock.patch("django.utils.timezone.now", return_value=after):
        with pytest.raises(NotPermitted):
            services.set_up_structure(
                world.ana, world.org, _executive_and_secretary(world.org), summary="late"
            )
    assert not Office.objects.filter(key="secretary").exists()


def test_an_unconfirmed_structure_lapses_and_its_terms_end(world):
    services.set_up_structure(
        world.ana, world.org, _executive_and_secretary(world.org), summary="first"
    )
    secretary = Office.objects.get(key="secretary")
    begin_term(secretary, world.ben, source=TermSource.ELECTION)
    until = world.org.current_constitution().structure_provisional_until
    assert services.lapse_provisional_structures(until - timedelta(minutes=1)) == 0
    assert services.lapse_provisional_structures(until) == 1
    current = world.org.current_constitution()
    assert current.structure == [] and current.structure_provisional_until is None
    secretary.refresh_from_db()
    assert secretary.abolished_at is not None
    assert not Term.objects.current().filter(office=secretary).exists()
    assert "lapsed" in current.adopted_how


def test_the_clock_puts_the_structure_to_the_members_in_time(world):
    services.set_up_structure(
        world.ana, world.org, _executive_and_secretary(world.org), summary="first"
    )
    until = world.org.current_constitution().structure_provisional_until
    assert amendments.confirm_structures_in_time(until - timedelta(days=30)) == []
    (vote,) = amendments.confirm_structures_in_time(until - timedelta(days=15))
    assert vote.kind == Kind.AMENDMENT and "structure" in vote.amendment
    assert amendments.confirm_structures_in_time(until - timedelta(days=14)) == []  # once
    # While the members vote on it, the committee cannot change what they vote on.
    with pytest.raises(RuleViolation, match="before the members"):
        services.set_up_structure(world.ana, world.org, [], summary="switch")


def test_a_referendum_adopts_a_structural_amendment(world):
    structure = _executive_and_secretary(world.org)
    services.set_up_structure(world.ana, world.org, structure, summary="first")
    version = world.org.current_constitution()
    changed, _ = structures.put_office(
        version.structure, version, "executive-committee", title="Treasurer", mandate="Accounts."
    )
    election = elections.call_election(
        world.ana,
        kind=Kind.AMENDMENT,
        question="Add a treasurer?",
        amendment={"structure": changed},
        electorate_branch=world.root,
    )
    later = election.voting_open_at + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        elections.advance(Election.objects.get(pk=election.pk))
        for member in (world.ana, world.ben, world.cam, world.dana):
            elections.cast_ballot(member, Election.objects.get(pk=election.pk), "yes")
    elections.advance(Election.objects.get(pk=election.pk), election.voting_close_at)
    assert Election.objects.get(pk=election.pk).status == Status.CERTIFIED
    adopted = world.org.current_constitution()
    assert adopted.number == version.number + 1
    assert adopted.structure_provisional_until is None  # the members adopted it
    assert Office.objects.filter(key="treasurer", abolished_at__isnull=True).exists()
    (change,) = structures.compare(version, adopted)
    assert (change.what, change.office) == ("added", "Treasurer")


@pytest.mark.parametrize(
    "office, message",
    [
        ({"mandate": " "}, "no mandate"),
        ({"term_days": 800}, "at most 730"),
        ({"term_limit": 3}, "term limit"),
        ({"term_limit": 0}, "term limit"),
        ({"powers": ["dissolve_factions"]}, "Unknown powers"),
        ({"seats": 0}, "seats"),
        ({"seats": 3, "method": "irv"}, "choose STV"),
        ({"method": "dictator"}, "unknown counting method"),
        ({"eligibility": "five years' membership"}, "conditions for standing"),
        ({"electorate": {"kind": "body", "body": "executive-committee"}}, "another body"),
        ({"electorate": {"kind": "branch", "branch": "atlantis"}}, "does not exist"),
    ],
)
def test_every_office_of_every_version_keeps_the_guarantees(world, office, message):
    structure = _executive_and_secretary(world.org)
    structure[0]["offices"][0].update(office)
    with pytest.raises(RuleViolation, match=message):
        services.set_up_structure(world.ana, world.org, structure, summary="bad")
    with pytest.raises(RuleViolation, match=message):
        services.check_amendment(world.org, {"structure": structure})
    assert world.org.current_constitution().number == 1  # nothing half-written
    assert not Body.objects.filter(slug="executive-committee").exists()


def test_an_office_elected_by_another_body_has_that_body_as_its_electorate(world):
    structure = _executive_and_secretary(world.org)
    version = world.org.current_constitution()
    structure, _ = structures.put_office(
        structure,
        version,
        "executive-committee",
        key="secretary",
        title="Secretary",
        mandate="Keep the records.",
    )
    structure, council = structures.add_body(structure, name="Council", kind="committee")
    structure, _ = structures.put_office(
        structure,
        version,
        council,
        title="Chair",
        mandate="Chair the council.",
        electorate={"kind": "body", "body": "executive-committee"},
    )
    services.set_up_structure(world.ana, world.org, structure, summary="council")
    executive = Office.objects.get(key="executive-member")
    begin_term(executive, world.ben, source=TermSource.ELECTION)
    chair = Office.objects.get(key="chair")
    assert list(elections.electorate(chair)) == [world.ben]
    election = elections.call_election(world.ana, office=chair)
    assert election.electorate_body_id == executive.body_id
    assert list(elections.electorate(election)) == [world.ben]


def test_every_template_structure_passes_the_guarantees(world):
    for preset in PRESETS.values():
        draft = services.draft(
            world.org.current_constitution(),
            {k: v for k, v in preset.values.items() if k != "preamble"},
        )
        draft.check_guarantees()
        assert draft.structure, preset.slug
