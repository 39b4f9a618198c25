"""An election from call to certified result, and every refusal on the way."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tribune import voting
from tribune.elections import services
from tribune.elections.models import Ballot, Kind, Method, Status
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Standing
from tribune.offices.models import TermSource
from tribune.offices.rules import has_power
from tribune.offices.services import begin_term


def _call(world, office, **kwargs):
    return services.call_election(world.ana, office=office, **kwargs)


def _at(when):
    """Run the block as if the server clock read ``when``."""
    return mock.patch("django.utils.timezone.now", return_value=when)


def test_calling_needs_the_power(world, office):
    with pytest.raises(NotPermitted):
        services.call_election(world.ben, office=office)
    election = _call(world, office)
    assert election.status == Status.NOMINATIONS
    assert election.method == Method.IRV
    assert world.org.audit_entries.filter(action="election.called").exists()


def test_whole_cycle_elects_and_terms_begin(world, office):
    election = _call(world, office)
    ben = services.nominate(world.ben, election, world.ben, statement="I keep good minutes.")
    cam = services.nominate(world.ana, election, world.cam)
    with pytest.raises(RuleViolation, match="Voting is not open"):
        services.cast_ballot(world.ben, election, [ben.pk])
    services.accept_nomination(world.cam, cam, statement="Me too.", faction_label="Left Unity")
    voting_opens = election.voting_open_at
    election = services.advance(election, voting_opens)
    assert election.status == Status.VOTING
    with _at(voting_opens + timedelta(hours=1)):
        for voter, choice in (
            (world.ben, [ben.pk]),
            (world.cam, [cam.pk, ben.pk]),
            (world.ana, [cam.pk]),
            (world.eli, [cam.pk]),
        ):
            receipt = services.cast_ballot(voter, election, choice)
            assert len(receipt.tracker) == 64
    election = services.advance(election, election.voting_close_at)
    assert election.status == Status.CERTIFIED  # no returning officer: certified by rule
    assert election.result["elected"] == ["Cam"]
    assert election.turnout == 4
    term = world.cam.terms.get(office=office)
    assert term.source == TermSource.ELECTION
    assert term.ends_at - term.starts_at == timedelta(days=365)
    assert has_power(world.cam, "admit_members")


def test_dates_are_enforced_by_the_server_clock(world, office):
    election = _call(world, office)
    services.nominate(world.ben, election, world.ben)
    assert services.advance(election).status == Status.NOMINATIONS
    before_close = election.nominations_close_at - timedelta(seconds=1)
    assert services.advance(election, before_close).status == Status.NOMINATIONS
    with _at(election.nominations_close_at + timedelta(seconds=1)):
        with pytest.raises(RuleViolation, match="Nominations are not open"):
            services.nominate(world.cam, election, world.cam)


def test_only_constitutional_refusals_of_candidacy(world, office):
    election = _call(world, office)
    world.cam.standing = Standing.LAPSED
    world.cam.save()
    with pytest.raises(RuleViolation, match="good standing") as refused:
        services.nominate(world.ben, election, world.cam)
    assert refused.value.field == "member"
    services.nominate(world.ben, election, world.ben)
    with pytest.raises(RuleViolation, match="already nominated"):
        services.nominate(world.ana, election, world.ben)


def test_term_limit_refuses_a_candidacy_with_the_reason(world, office):
    start = timezone.now() - timedelta(days=700)
    first = begin_term(office, world.ben, source=TermSource.ELECTION, starts_at=start)
    begin_term(office, world.ben, source=TermSource.ELECTION, starts_at=first.ends_at)
    election = _call(world, office)
    with pytest.raises(RuleViolation, match="limit of 2 consecutive terms"):
        services.nominate(world.ben, election, world.ben)
    assert services.candidacy_problem(world.cam, election) is None


def test_nominee_must_accept_and_seconders_count(world, office):
    from tribune.constitution.models import ConstitutionVersion

    ConstitutionVersion.objects.filter(organisation=world.org).update(seconders_required=1)
    election = _call(world, office)
    cam = services.nominate(world.ben, election, world.cam)
    assert not cam.standing
    with pytest.raises(NotPermitted):
        services.accept_nomination(world.ben, cam)
    services.accept_nomination(world.cam, cam)
    assert services._ballot_candidacies(election) == []  # no seconder yet
    services.second_nomination(world.ana, cam)
    with pytest.raises(RuleViolation, match="already seconded"):
        services.second_nomination(world.ana, cam)
    assert [c.member for c in services._ballot_candidacies(election)] == [world.cam]


def test_no_candidates_cancels_with_a_reason(world, office):
    election = _call(world, office)
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.CANCELLED
    assert "No one stood" in election.cancelled_reason


def _voting(world, office):
    election = _call(world, office)
    ben = services.nominate(world.ben, election, world.ben)
    cam = services.nominate(world.cam, election, world.cam)
    election = services.advance(election, election.voting_open_at)
    return election, ben, cam


def test_a_voter_votes_once_and_may_change_the_vote(world, office):
    election, ben, cam = _voting(world, office)
    with _at(election.voting_open_at + timedelta(minutes=5)):
        receipt = services.cast_ballot(world.ana, election, [ben.pk])
        with pytest.raises(RuleViolation, match="already voted"):
            services.cast_ballot(world.ana, election, [cam.pk])
        changed = services.cast_ballot(world.ana, election, [cam.pk], key=receipt.key)
        assert changed.replaced and changed.tracker != receipt.tracker
        with pytest.raises(RuleViolation, match="not valid"):
            services.cast_ballot(world.ana, election, [ben.pk], key=receipt.key)
    assert Ballot.objects.filter(election=election).count() == 1
    assert Ballot.objects.get(election=election).choice == [cam.pk]


def test_bad_ballots_are_refused_with_reasons(world, office):
    election, ben, cam = _voting(world, office)
    with _at(election.voting_open_at + timedelta(minutes=5)):
        for choice, message in (
            ([], "at least one"),
            ([ben.pk, ben.pk], "only once"),
            ([999999], "Only candidates"),
            ("yes", "at least one"),
        ):
            with pytest.raises(RuleViolation, match=message):
                services.cast_ballot(world.ana, election, choice)
    assert not Ballot.objects.filter(election=election).exists()


def test_members_off_the_roll_cannot_vote(world, office):
    election, ben, _ = _voting(world, office)
    from tribune.members.services import admit_member, apply_for_membership

    newcomer = apply_for_membership(
        world.org, user=None, name="Nia", email="nia@test.org", branch=world.millbrook
    )
    admit_member(world.ana, newcomer)
    with _at(election.voting_open_at + timedelta(minutes=5)):
        with pytest.raises(NotPermitted, match="voter roll"):
            services.cast_ballot(newcomer, election, [ben.pk])


def test_published_box_recounts_to_the_certified_result(world, office):
    from tribune.members.services import admit_member, apply_for_membership

    body = office.body
    office.seats = 2
    office.save()
    election = services.call_election(world.ana, office=office, method=Method.SCOTTISH_STV)
    people = [world.ben, world.cam, world.ana]
    cands = [services.nominate(p, election, p) for p in people]
    voters = []
    for i in range(12):
        m = apply_for_membership(
            world.org, user=None, name=f"Voter {i}", email=f"v{i}@test.org", branch=world.north
        )
        admit_member(world.ana, m)
        voters.append(m)
    election = services.advance(election, election.voting_open_at)
    patterns = [[0, 1], [0, 2], [1], [2, 1, 0], [0], [1, 0]]
    with _at(election.voting_open_at + timedelta(minutes=5)):
        for i, voter in enumerate(voters):
            services.cast_ballot(voter, election, [cands[j].pk for j in patterns[i % 6]])
    election = services.advance(election, election.voting_close_at)
    assert election.status == Status.CERTIFIED and body
    recount = voting.scottish_stv(voting.read_blt(services.box_blt(election)), 2)
    assert recount.elected == election.result["elected"]
    assert len(election.result["elected"]) == 2
    trackers = {b["tracker"] for b in services.published_box(election)}
    assert len(trackers) == 12


def test_returning_officer_certifies_and_cannot_stand(world, office):
    election = services.call_election(world.ana, office=office, returning_officer=world.eli)
    with pytest.raises(RuleViolation, match="returning officer cannot stand"):
        services.nominate(world.eli, election, world.eli)
    ben = services.nominate(world.ben, election, world.ben)
    election = services.advance(election, election.voting_open_at)
    with _at(election.voting_open_at + timedelta(minutes=1)):
        services.cast_ballot(world.cam, election, [ben.pk])
    election = services.advance(election, election.voting_close_at)
    assert election.status == Status.COUNTED
    with pytest.raises(NotPermitted, match="returning officer"):
        services.certify(world.ana, election)
    election = services.certify(world.eli, election)
    assert election.status == Status.CERTIFIED
    assert world.ben.terms.filter(office=office).exists()


def test_cancelling_needs_a_reason_and_a_mandate(world, office):
    election = _call(world, office)
    with pytest.raises(RuleViolation, match="written reason"):
        services.cancel_election(world.ana, election, " ")
    with pytest.raises(NotPermitted):
        services.cancel_election(world.ben, election, "I would lose.")
    election = services.cancel_election(world.ana, election, "The office is being abolished.")
    assert election.status == Status.CANCELLED


def test_elections_are_called_ahead_of_every_term_end(world, office):
    # The provisional committee's terms end in 90 days and lapse: they are never
    # re-elected; the structure's offices (here the vacant Secretary) are elected instead.
    called = services.schedule_elections(timezone.now() + timedelta(days=50))
    offices = {e.office for e in called}
    assert world.ana.terms.get().office not in offices
    assert offices == {office}
    assert services.schedule_elections(timezone.now() + timedelta(days=50)) == []


def test_organisation_wide_referendum_with_quorum(world):
    election = services.call_election(
        world.ana,
        kind=Kind.REFERENDUM,
        title="Join the national strike?",
        question="Shall we join the strike on 1 May?",
        electorate_branch=world.root,
    )
    assert election.status == Status.VOTING
    with _at(election.voting_open_at + timedelta(minutes=1)):
        services.cast_ballot(world.ben, election, "yes")
        services.cast_ballot(world.cam, election, "no")
        services.cast_ballot(world.ana, election, "yes")
        with pytest.raises(RuleViolation, match="yes, no or abstain"):
            services.cast_ballot(world.eli, election, "maybe")
    election = services.advance(election, election.voting_close_at)
    assert election.passed is True
    assert election.result["carried"] is True


def test_constitutional_amendment_needs_its_supermajority_and_creates_a_version(world):
    def vote(yes, no):
        election = services.call_election(
            world.ana,
            kind=Kind.AMENDMENT,
            title="Longer terms",
            question="Raise the default term to 400 days.",
            electorate_branch=world.root,
            amendment={"default_term_days": 400},
        )
        voters = [world.ana, world.ben, world.cam, world.dana, world.eli]
        with _at(election.voting_open_at + timedelta(minutes=1)):
            for i, voter in enumerate(voters[: yes + no]):
                services.cast_ballot(voter, election, "yes" if i < yes else "no")
        return services.advance(election, election.voting_close_at)

    failed = vote(yes=3, no=2)  # 60% < 2/3
    assert failed.passed is False
    assert world.org.current_constitution().number == 1
    carried = vote(yes=4, no=1)
    assert carried.passed is True
    version = world.org.current_constitution()
    assert (version.number, version.default_term_days) == (2, 400)
    assert "Longer terms" in version.adopted_how


def test_an_amendment_that_breaks_a_guarantee_cannot_be_put(world):
    with pytest.raises(RuleViolation, match="finite term limit"):
        services.call_election(
            world.ana,
            kind=Kind.AMENDMENT,
            title="Leaders for life",
            question="Abolish limits",
            electorate_branch=world.root,
            amendment={"term_limit": None},
        )


def test_a_human_call_cannot_be_backdated(world, office):
    with pytest.raises(RuleViolation, match="start in the past") as refused:
        services.call_election(
            world.ana, office=office, starts_at=timezone.now() - timedelta(days=3)
        )
    assert refused.value.field == "starts_at"
    with pytest.raises(RuleViolation, match="Choose the office"):
        services.call_election(world.ana, office=None)


def test_a_ballot_key_replaces_only_its_own_voters_ballot(world, office):
    election, ben, cam = _voting(world, office)
    with _at(election.voting_open_at + timedelta(minutes=5)):
        receipt = services.cast_ballot(world.ana, election, [ben.pk])
        services.cast_ballot(world.eli, election, [cam.pk])
        with pytest.raises(RuleViolation, match="not valid"):
            services.cast_ballot(world.eli, election, [cam.pk], key=receipt.key)
    assert sorted(b.choice for b in Ballot.objects.filter(election=election)) == [
        [ben.pk],
        [cam.pk],
    ]
