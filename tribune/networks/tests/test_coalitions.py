"""Coalitions: ratified by each member's own certified decision, active at two, ended by date."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.networks import coalitions
from tribune.networks.models import ParticipationState


def propose(pair, ends_on=None):
    return coalitions.create_coalition(
        pair.ana,
        pair.a,
        name="Rent freeze coalition",
        slug="rent-freeze",
        demands=[{"title": "Freeze rents for two years"}, "Repairs within 28 days"],
        ends_on=ends_on or timezone.localdate() + timedelta(days=90),
    )


def both_ratify(pair, coalition):
    coalitions.decide(pair.ana, pair.a, coalition, "ratified", decision_kind="mandate")
    coalitions.invite(pair.ana, pair.a, coalition, organisation_uri=pair.b.uri)
    coalitions.decide(pair.zoe, pair.b, coalition, "ratifying")
    vote = pair.vote_b("Ratify the rent freeze coalition?")
    coalitions.decide(
        pair.zoe, pair.b, coalition, "ratified", decision_kind="referendum", decision_ref=vote.pk
    )


def test_states_and_active_once_two_have_ratified(pair):
    coalition = propose(pair)
    assert [d.key for d in coalition.demands.all()] == [
        "freeze-rents-for-two-years",
        "repairs-within-28-days",
    ]
    assert coalition.status() == "forming"
    coalitions.decide(pair.ana, pair.a, coalition, "ratified", decision_kind="mandate")
    assert coalition.status() == "forming"  # one is not a coalition
    coalitions.invite(pair.ana, pair.a, coalition, organisation_uri=pair.b.uri)
    p = coalitions.participant(coalition, pair.b.uri)
    assert p.state == ParticipationState.INVITED and p.organisation == pair.b
    coalitions.decide(pair.zoe, pair.b, coalition, "ratifying")
    vote = pair.vote_b()
    coalitions.decide(
        pair.zoe, pair.b, coalition, "ratified", decision_kind="referendum", decision_ref=vote.pk
    )
    assert coalition.status() == "active"
    assert AuditEntry.objects.filter(organisation=pair.b, action="coalition.ratified").exists()
    # Withdrawing (by decision) ends its part: the coalition is forming again.
    coalitions.decide(pair.zoe, pair.b, coalition, "withdrawn", decision_kind="mandate")
    assert coalition.status() == "forming"
    with pytest.raises(RuleViolation, match="cannot move"):
        coalitions.decide(pair.zoe, pair.b, coalition, "ratifying")


def test_ratification_must_cite_a_certified_decision_of_that_organisation(pair):
    coalition = propose(pair)
    coalitions.invite(pair.ana, pair.a, coalition, organisation_uri=pair.b.uri)
    theirs = pair.vote_a("Ratify?")
    with pytest.raises(RuleViolation, match="No referendum of this organisation") as refused:
        coalitions.decide(
            pair.zoe,
            pair.b,
            coalition,
            "ratified",
            decision_kind="referendum",
            decision_ref=theirs.pk,
        )
    assert refused.value.field == "decision"
    with pytest.raises(RuleViolation, match="No motion of this organisation"):
        coalitions.decide(
            pair.zoe, pair.b, coalition, "ratified", decision_kind="motion", decision_ref=1
        )
    with pytest.raises(RuleViolation, match="listed kinds"):
        coalitions.decide(pair.zoe, pair.b, coalition, "ratified", decision_kind="whim")
    with pytest.raises(NotPermitted):  # a member with no mandate carries out nothing
        coalitions.decide(pair.yan, pair.b, coalition, "ratified", decision_kind="mandate")
    assert coalitions.participant(coalition, pair.b.uri).state == ParticipationState.INVITED


def test_expires_at_its_end_date_with_no_worker(pair):
    coalition = propose(pair, ends_on=timezone.localdate() + timedelta(days=3))
    both_ratify(pair, coalition)
    assert coalition.status() == "active"
    assert coalition.status(today=coalition.ends_on) == "active"
    assert coalition.status(today=coalition.ends_on + timedelta(days=1)) == "expired"


def test_renewal_needs_fresh_ratifications(pair):
    coalition = propose(pair)
    both_ratify(pair, coalition)
    old_vote_pk = coalitions.participant(coalition, pair.b.uri).decision["uri"].rsplit("/", 1)[1]
    coalitions.renew(pair.ana, pair.a, coalition, ends_on=coalition.ends_on + timedelta(days=60))
    coalition.refresh_from_db()
    assert coalition.round == 2 and coalition.status() == "forming"
    assert coalitions.participant(coalition, pair.b.uri).state == ParticipationState.RATIFYING
    with pytest.raises(RuleViolation, match="already been cited"):
        coalitions.decide(
            pair.zoe,
            pair.b,
            coalition,
            "ratified",
            decision_kind="referendum",
            decision_ref=int(old_vote_pk),
        )
    coalitions.decide(pair.ana, pair.a, coalition, "ratified", decision_kind="mandate")
    fresh = pair.vote_b("Renew the coalition?")
    coalitions.decide(
        pair.zoe, pair.b, coalition, "ratified", decision_kind="referendum", decision_ref=fresh.pk
    )
    assert coalition.status() == "active"


def test_programme_links_are_checked_and_shown_on_the_organisation(pair):
    from tribune.assemblies.models import Programme, ProgrammeSection, ProgrammeVersion

    programme = Programme.objects.create(organisation=pair.b)
    version = ProgrammeVersion.objects.create(programme=programme, number=1)
    ProgrammeSection.objects.create(
        version=version, key="housing", position=1, title="Housing", text="Rents we can pay."
    )
    coalition = propose(pair)
    coalitions.invite(pair.ana, pair.a, coalition, organisation_uri=pair.b.uri)
    with pytest.raises(RuleViolation, match="no section"):
        coalitions.decide(
            pair.zoe,
            pair.b,
            coalition,
            "ratified",
            decision_kind="mandate",
            programme_links={"freeze-rents-for-two-years": ["transport"]},
        )
    coalitions.decide(
        pair.zoe,
        pair.b,
        coalition,
        "ratified",
        decision_kind="mandate",
        programme_links={"freeze-rents-for-two-years": ["housing"]},
    )
    (row,) = coalitions.pursued_by(pair.b)
    assert row["coalition"] == coalition
    assert row["demands"][0]["sections"] == ["housing"]
    assert row["demands"][1]["sections"] == []


def _snapshot(org):
    """Everything of ``org``'s programme, constitution and membership, as values."""
    from tribune.assemblies.models import Programme, ProgrammeSection
    from tribune.constitution.models import ConstitutionVersion
    from tribune.members.models import Member

    return (
        list(Programme.objects.filter(organisation=org).values()),
        list(ProgrammeSection.objects.filter(version__programme__organisation=org).values()),
        list(ConstitutionVersion.objects.filter(organisation=org).values()),
        list(Member.objects.filter(organisation=org).values()),
    )


def test_a_coalition_has_no_way_to_write_into_a_members_programme_constitution_or_membership(
    pair,
):
    """Every coalition (and network) act, through every door, leaves them exactly as they were.

    And structurally: no module of tribune.networks imports a service that writes them.
    """
    import pathlib

    from tribune.networks import concert, networks, sharing

    before = (_snapshot(pair.a), _snapshot(pair.b))
    coalition = propose(pair)
    both_ratify(pair, coalition)
    coalition = coalitions.renew(
        pair.ana, pair.a, coalition, ends_on=coalition.ends_on + timedelta(days=1)
    )
    coalitions.decide(pair.ana, pair.a, coalition, "ratified", decision_kind="mandate")
    coalitions.decide(pair.zoe, pair.b, coalition, "ratified", decision_kind="mandate")
    pledge = concert.create(
        pair.ana,
        pair.a,
        coalition,
        action="Strike",
        threshold=5,
        deadline=timezone.now() + timedelta(days=3),
    )
    concert.open_chapter(pair.ana, pair.a, pledge)
    network = networks.found_network(
        pair.ana,
        pair.a,
        name="Net",
        slug="net",
        purpose="Together.",
        decision_rule="consensus",
        decision_kind="mandate",
    )
    networks.invite(pair.ana, pair.a, network, member_uri=pair.b.uri)
    networks.join(pair.zoe, pair.b, network, decision_kind="mandate")
    networks.leave(pair.zoe, pair.b, network, decision_kind="mandate")
    assert sharing  # imported: its writes are checked below too
    after = (_snapshot(pair.a), _snapshot(pair.b))
    assert after == before
    writers = (
        "constitution.services",
        "constitution.changes",
        "amend_programme",
        "members.services",
        "ProgrammeSection.objects.create",
        "ProgrammeVersion.objects",
        "Member.objects.create",
        "admit_member",
        "adopt(",
    )
    source = pathlib.Path(coalitions.__file__).parent
    for module in source.glob("*.py"):
        if module.name == "demo.py":
            continue  # the demo founds its second organisation and admits its members
        text = module.read_text()
        for writer in writers:
            assert writer not in text, f"{module.name} mentions {writer}"


def test_bad_dates_and_demands_are_refused_with_the_field(pair):
    with pytest.raises(RuleViolation) as refused:
        coalitions.create_coalition(
            pair.ana, pair.a, name="X", slug="x", demands=[], ends_on=date(2030, 1, 1)
        )
    assert refused.value.field == "demands"
    with pytest.raises(RuleViolation) as refused:
        coalitions.create_coalition(
            pair.ana, pair.a, name="X", slug="x", demands=["A"], ends_on=date(2001, 1, 1)
        )
    assert refused.value.field == "ends_on"
    with pytest.raises(NotPermitted):
        coalitions.create_coalition(
            pair.ben, pair.a, name="X", slug="x", demands=["A"], ends_on=date(2030, 1, 1)
        )


def _pledge(pair, coalition, days=2):
    from tribune.networks import concert

    return concert.create(
        pair.ana,
        pair.a,
        coalition,
        action="Withhold rent together",
        threshold=5,
        deadline=timezone.now() + timedelta(days=days),
    )


def test_after_renewal_the_old_ratifications_open_nothing(pair):
    from tribune.networks import concert

    coalition = propose(pair)
    both_ratify(pair, coalition)
    pledge = _pledge(pair, coalition)
    coalitions.renew(pair.ana, pair.a, coalition, ends_on=coalition.ends_on + timedelta(days=30))
    coalition.refresh_from_db()
    with pytest.raises(NotPermitted, match="taking part"):  # each ratified the old round only
        _pledge(pair, coalition)
    with pytest.raises(NotPermitted):
        concert.open_chapter(pair.zoe, pair.b, pledge)
    coalitions.decide(pair.ana, pair.a, coalition, "ratified", decision_kind="mandate")
    assert coalition.status() == "forming"  # one fresh ratification is not two
    fresh = pair.vote_b("Renew the coalition?")
    coalitions.decide(
        pair.zoe, pair.b, coalition, "ratified", decision_kind="referendum", decision_ref=fresh.pk
    )
    assert coalition.status() == "active"
    assert concert.open_chapter(pair.zoe, pair.b, pledge).organisation == pair.b


def test_an_ended_coalition_takes_no_new_ratification_pledge_or_chapter(pair):
    from unittest import mock

    from tribune.networks import concert

    # A pledge cannot outlive its coalition.
    active = propose(pair, ends_on=timezone.localdate() + timedelta(days=3))
    both_ratify(pair, active)
    with pytest.raises(RuleViolation, match="last day") as refused:
        _pledge(pair, active, days=10)
    assert refused.value.field == "deadline"
    pledge = _pledge(pair, active)
    # A second coalition, which Other Union has put to its members but not yet ratified.
    forming = coalitions.create_coalition(
        pair.ana,
        pair.a,
        name="Repairs coalition",
        slug="repairs",
        demands=["Repairs within 28 days"],
        ends_on=active.ends_on,
    )
    coalitions.decide(pair.ana, pair.a, forming, "ratified", decision_kind="mandate")
    coalitions.invite(pair.ana, pair.a, forming, organisation_uri=pair.b.uri)
    coalitions.decide(pair.zoe, pair.b, forming, "ratifying")
    vote = pair.vote_b("Ratify the repairs coalition?")
    after = timezone.now() + timedelta(days=5)
    with mock.patch("django.utils.timezone.now", return_value=after):
        assert active.status() == "expired" and forming.status() == "expired"
        with pytest.raises(RuleViolation, match="has ended"):
            coalitions.decide(
                pair.zoe,
                pair.b,
                forming,
                "ratified",
                decision_kind="referendum",
                decision_ref=vote.pk,
            )
        with pytest.raises(RuleViolation, match="has ended"):
            _pledge(pair, active, days=1)
        with pytest.raises(RuleViolation, match="has ended"):
            concert.open_chapter(pair.zoe, pair.b, pledge)
        # Nothing was half-written: the referendum is still unused, the chapter unopened.
        assert coalitions.participant(forming, pair.b.uri).state == ParticipationState.RATIFYING
        assert not pledge.counts.filter(organisation_uri=pair.b.uri).exists()
        # Renewed, the ended coalition takes that same decision.
        coalitions.renew(pair.ana, pair.a, forming, ends_on=after.date() + timedelta(days=30))
        coalitions.decide(
            pair.zoe, pair.b, forming, "ratified", decision_kind="referendum", decision_ref=vote.pk
        )
    assert coalitions.participant(forming, pair.b.uri).state == ParticipationState.RATIFIED
