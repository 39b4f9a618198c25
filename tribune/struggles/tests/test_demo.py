"""The demo's struggle, built through the services: news, a pledge part-way, events, solidarity."""

from tribune.organisations.demo import create_demo
from tribune.struggles.models import Struggle


def test_the_demo_has_a_rent_strike_with_a_pledge_part_way(db):
    org = create_demo(members=80)
    strike = Struggle.objects.get(organisation=org, title="Riverside Court rent strike")
    assert strike.status == "active" and strike.programme_keys == ["housing"]
    assert strike.updates.count() == 3
    pledge = strike.pledges.get()
    assert 0 < pledge.count < pledge.threshold and pledge.state() == "open"
    assert strike.events.count() == 2
    request = strike.solidarity_requests.get()
    assert request.responses.get().responder_name == "Kingsport"
