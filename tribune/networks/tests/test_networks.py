"""Networks: founded, joined and left only by each organisation's own decision; no cycles."""

import pytest

from tribune.audit.models import AuditEntry
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.networks import networks
from tribune.networks.models import Membership, MembershipState


def found(pair, slug="tenants-net", rule="one_vote"):
    return networks.found_network(
        pair.ana,
        pair.a,
        name="Tenants' network",
        slug=slug,
        purpose="Act together on housing.",
        decision_rule=rule,
        decision_kind="mandate",
    )


def test_founding_makes_the_founder_its_first_member_by_its_decision(pair):
    network = found(pair)
    assert network.uri.endswith(str(network.uid))
    assert network.uri.startswith("http")
    member = Membership.objects.get(network=network)
    assert member.member_uri == pair.a.uri and member.state == MembershipState.MEMBER
    assert member.join_decision["kind"] == "mandate"
    entry = AuditEntry.objects.filter(organisation=pair.a, action="network.founded").get()
    assert entry.actor == pair.ana and entry.term is not None


def test_join_needs_an_invitation_and_a_certified_decision_of_its_own(pair):
    network = found(pair)
    with pytest.raises(RuleViolation, match="Only an invited"):
        networks.join(pair.zoe, pair.b, network, decision_kind="mandate")
    networks.invite(pair.ana, pair.a, network, member_uri=pair.b.uri)
    # Not certified yet / not its own / not passed: refused, naming the field.
    other_orgs_vote = pair.vote_a("Join the tenants' network?")
    with pytest.raises(RuleViolation, match="No referendum of this organisation") as refused:
        networks.join(
            pair.zoe, pair.b, network, decision_kind="referendum", decision_ref=other_orgs_vote.pk
        )
    assert refused.value.field == "decision"
    lost = pair.vote_b("Join?", yes=False)
    with pytest.raises(RuleViolation, match="did not pass"):
        networks.join(pair.zoe, pair.b, network, decision_kind="referendum", decision_ref=lost.pk)
    # Someone with no mandate to carry it out cannot.
    vote = pair.vote_b("Join the tenants' network?")
    with pytest.raises(NotPermitted):
        networks.join(pair.yan, pair.b, network, decision_kind="referendum", decision_ref=vote.pk)
    networks.join(pair.zoe, pair.b, network, decision_kind="referendum", decision_ref=vote.pk)
    assert networks.is_member(network, pair.b)
    entry = AuditEntry.objects.get(organisation=pair.b, action="network.joined")
    assert entry.data["decision"]["title"] == "Join the tenants' network?"
    assert not AuditEntry.objects.filter(organisation=pair.a, action="network.joined").exists()


def test_a_decision_is_cited_once(pair):
    network = found(pair)
    networks.invite(pair.ana, pair.a, network, member_uri=pair.b.uri)
    vote = pair.vote_b()
    networks.join(pair.zoe, pair.b, network, decision_kind="referendum", decision_ref=vote.pk)
    with pytest.raises(RuleViolation, match="already been cited"):
        networks.leave(pair.zoe, pair.b, network, decision_kind="referendum", decision_ref=vote.pk)
    assert networks.is_member(network, pair.b)


def test_an_organisation_leaves_by_its_own_decision_and_no_one_else_can_remove_it(pair):
    network = found(pair)
    networks.invite(pair.ana, pair.a, network, member_uri=pair.b.uri)
    networks.join(pair.zoe, pair.b, network, decision_kind="mandate")
    # Test Union's delegate cannot take Other Union out: leave acts for one's own organisation.
    with pytest.raises(NotPermitted):
        networks.leave(pair.ana, pair.b, network, decision_kind="mandate")
    assert networks.is_member(network, pair.b)
    vote = pair.vote_b("Leave the tenants' network?")
    networks.leave(pair.zoe, pair.b, network, decision_kind="referendum", decision_ref=vote.pk)
    assert not networks.is_member(network, pair.b)
    membership = network.memberships.get(member_uri=pair.b.uri)
    assert membership.leave_decision["uri"].endswith(f"/{vote.pk}")
    assert AuditEntry.objects.filter(organisation=pair.b, action="network.left").exists()


def test_a_network_cannot_contain_itself_at_any_depth(pair):
    outer = found(pair, "outer")
    inner = found(pair, "inner")
    with pytest.raises(RuleViolation, match="cannot contain itself") as refused:
        networks.invite(pair.ana, pair.a, outer, member_uri=outer.uri, kind="network")
    assert refused.value.field == "member"
    networks.invite(pair.ana, pair.a, outer, member_uri=inner.uri, kind="network")
    # inner ⊂ outer (invited): outer may not now go inside inner.
    with pytest.raises(RuleViolation, match="cannot contain itself"):
        networks.invite(pair.ana, pair.a, inner, member_uri=outer.uri, kind="network")
    third = found(pair, "third")
    networks.invite(pair.ana, pair.a, inner, member_uri=third.uri, kind="network")
    with pytest.raises(RuleViolation, match="cannot contain itself"):
        networks.invite(pair.ana, pair.a, third, member_uri=outer.uri, kind="network")


def test_a_network_joins_a_network_by_its_members_endorsement_under_its_rule(pair):
    outer = found(pair, "outer")
    inner = found(pair, "inner", rule="consensus")
    networks.invite(pair.ana, pair.a, inner, member_uri=pair.b.uri)
    networks.join(pair.zoe, pair.b, inner, decision_kind="mandate")
    networks.invite(pair.ana, pair.a, outer, member_uri=inner.uri, kind="network")
    # Consensus: one of two endorsing is not enough.
    first = networks.endorse(
        pair.ana, pair.a, inner, act="join", parent=outer, decision_kind="mandate"
    )
    assert first["carried"] is False
    assert outer.memberships.get(member_uri=inner.uri).state == MembershipState.INVITED
    with pytest.raises(RuleViolation):  # the same organisation's fresh decision still counts once
        networks.join(pair.zoe, pair.b, inner, decision_kind="mandate")
    vote = pair.vote_b("Take our network into the outer one?")
    second = networks.endorse(
        pair.zoe,
        pair.b,
        inner,
        act="join",
        parent=outer,
        decision_kind="referendum",
        decision_ref=vote.pk,
    )
    assert second["carried"] is True
    assert outer.memberships.get(member_uri=inner.uri).state == MembershipState.MEMBER


def test_weighted_rule_counts_members(pair):
    outer = found(pair, "outer")
    inner = found(pair, "inner", rule="weighted")
    networks.invite(pair.ana, pair.a, inner, member_uri=pair.b.uri)
    networks.join(pair.zoe, pair.b, inner, decision_kind="mandate")
    networks.invite(pair.ana, pair.a, outer, member_uri=inner.uri, kind="network")
    # Test Union has 5 members in good standing, Other Union 3: Test Union alone carries.
    outcome = networks.endorse(
        pair.ana, pair.a, inner, act="join", parent=outer, decision_kind="mandate"
    )
    assert outcome["carried"] is True


def test_remote_values_are_checked(pair):
    network = found(pair)
    with pytest.raises(RuleViolation, match="https://"):
        networks.record_invitation(network.uri, "not a uri", "X", "organisation", pair.a.uri)
    with pytest.raises(NotPermitted):
        networks.record_invitation(
            network.uri,
            "https://far.example/id/organisation/1",
            "Far",
            "organisation",
            "https://stranger.example/id/organisation/2",
        )
    networks.record_invitation(
        network.uri,
        "https://far.example/id/organisation/1",
        "Far Union",
        "organisation",
        pair.a.uri,
    )
    with pytest.raises(RuleViolation, match="decision"):
        networks.record_join(network.uri, "https://far.example/id/organisation/1", {"kind": "x"})
    joined = networks.record_join(
        network.uri,
        "https://far.example/id/organisation/1",
        {
            "kind": "referendum",
            "uri": "https://far.example/id/election/9",
            "title": "Join",
            "decided_at": "2026-01-01T00:00:00+00:00",
        },
        size=40,
    )
    assert joined.state == MembershipState.MEMBER and joined.organisation is None


def test_no_other_member_can_make_an_organisation_leave_through_any_door(pair):
    """Not the founding organisation's delegate, not the member's own ordinary members:
    through the service, the page or the API, each is refused and the membership stands."""
    from django.test import Client
    from django.urls import reverse

    network = found(pair)
    networks.invite(pair.ana, pair.a, network, member_uri=pair.b.uri)
    networks.join(pair.zoe, pair.b, network, decision_kind="mandate")
    with pytest.raises(NotPermitted):  # Other Union's member, with no mandate of its own
        networks.leave(pair.yan, pair.b, network, decision_kind="mandate")
    for person in (pair.world.users["ana"], pair.yan.user):
        client = Client()
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        page = reverse("web:network_action", args=[pair.b.slug, network.slug, "leave"])
        assert client.post(page, {"decision": "mandate"}).status_code == 403
        api = f"/api/v1/organisations/{pair.b.slug}/networks/{network.slug}/leave"
        response = client.post(api, {"decision_kind": "mandate"}, content_type="application/json")
        assert response.status_code == 403
    # The founder leaving takes only itself out.
    networks.leave(pair.ana, pair.a, network, decision_kind="mandate")
    assert not networks.is_member(network, pair.a) and networks.is_member(network, pair.b)
    assert network.memberships.get(member_uri=pair.b.uri).leave_decision is None
    assert not AuditEntry.objects.filter(organisation=pair.b, action="network.left").exists()


def test_weighted_rule_weighs_by_current_sizes_not_those_at_joining(pair):
    from tribune.networks.tests.conftest import more_members

    outer = found(pair, "outer")
    inner = found(pair, "inner", rule="weighted")
    networks.invite(pair.ana, pair.a, inner, member_uri=pair.b.uri)
    networks.join(pair.zoe, pair.b, inner, decision_kind="mandate")
    networks.invite(pair.ana, pair.a, outer, member_uri=inner.uri, kind="network")
    # Other Union joined with 3 members; it has grown to 8 since (Test Union has 5), so
    # Test Union's endorsement alone no longer carries.
    more_members(pair.b, pair.zoe, 5, "late")
    outcome = networks.endorse(
        pair.ana, pair.a, inner, act="join", parent=outer, decision_kind="mandate"
    )
    assert outcome["carried"] is False
    assert outer.memberships.get(member_uri=inner.uri).state == MembershipState.INVITED


def test_a_remote_members_size_follows_its_reports(pair):
    network = found(pair, rule="weighted")
    far = "https://far.example/id/organisation/1"
    networks.record_invitation(network.uri, far, "Far Union", "organisation", pair.a.uri)
    decision = {
        "kind": "mandate",
        "uri": "https://far.example/id/act/1",
        "title": "Join",
        "decided_at": "2026-01-01T00:00:00+00:00",
    }
    networks.record_join(network.uri, far, decision, size=2)
    assert networks.record_size(network.uri, far, 40).size == 40
    assert networks.current_size(network.memberships.get(member_uri=far)) == 40
    with pytest.raises(RuleViolation) as refused:
        networks.record_size(network.uri, far, -1)
    assert refused.value.field == "size"
    with pytest.raises(RuleViolation):
        networks.record_size(network.uri, "https://stranger.example/id/organisation/2", 3)


def test_sizes_are_reported_to_a_weighted_network_decided_elsewhere(pair):
    from tribune.networks.common import forward
    from tribune.networks.models import Network

    copy = Network.objects.create(
        uri="https://far.example/id/network/7",
        home=False,
        slug="far-net",
        name="Far network",
        purpose="Far",
        decision_rule="weighted",
        founded_by_uri="https://far.example/id/organisation/1",
    )
    Membership.objects.create(
        network=copy,
        member_uri=pair.b.uri,
        member_name=pair.b.name,
        kind="organisation",
        organisation=pair.b,
        state=MembershipState.MEMBER,
        size=1,
    )
    sent = []

    def capture(sender, **kwargs):
        sent.append((kwargs["action"], kwargs["values"]))

    forward.connect(capture, dispatch_uid="test-capture-size")
    try:
        assert networks.report_sizes() == 1
        assert networks.report_sizes() == 0  # unchanged since: nothing sent again
    finally:
        forward.disconnect(dispatch_uid="test-capture-size")
    assert sent == [
        ("size", {"network_uri": copy.uri, "member_uri": pair.b.uri, "size": 3}),
    ]
