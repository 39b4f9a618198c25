"""The demo's network, built only through the services: two organisations, one coalition."""

from tribune.audit.log import verify_chain
from tribune.networks import networks
from tribune.networks.demo import LEAGUE
from tribune.networks.models import Coalition, Network
from tribune.organisations.demo import SLUG, create_demo, remove_demo
from tribune.organisations.models import Organisation


def test_the_demo_has_two_organisations_in_a_network_and_an_active_coalition(db):
    union = create_demo(members=80)
    league = Organisation.objects.get(slug=LEAGUE)
    network = Network.objects.get(slug="housing-justice")
    assert networks.is_member(network, union) and networks.is_member(network, league)
    joined = network.memberships.get(member_uri=league.uri)
    assert joined.join_decision["kind"] == "referendum"
    coalition = Coalition.objects.get(slug="rent-freeze")
    assert coalition.status() == "active"
    decisions = {p.organisation_name: p.decision["kind"] for p in coalition.participations.all()}
    assert set(decisions.values()) == {"referendum"} and len(decisions) == 2
    ours = coalition.participations.get(organisation_uri=union.uri)
    assert ours.programme_links == {"rent-freeze": ["housing"]}
    (pledge,) = coalition.pledges.all()
    counts = {c.organisation_name: c.count for c in pledge.counts.all()}
    assert sum(counts.values()) == pledge.total == 23 and pledge.triggered_at is None
    delegates = {
        row["membership"].member_name: row["offices"] for row in networks.delegates(network)
    }
    assert any(o["office"] == "Network delegate" for o in delegates[union.name])
    for organisation in (union, league):
        assert verify_chain(organisation).ok
    remove_demo()
    assert not Organisation.objects.filter(slug__in=[SLUG, LEAGUE]).exists()
    assert not Network.objects.exists() and not Coalition.objects.exists()
