"""The demo's struggle, built through the services: news, a pledge part-way, events, solidarity."""

from tribune.organisations.demo import SLUG, create_demo, remove_demo
from tribune.organisations.models import Organisation
from tribune.struggles.models import Commitment, Notice, Struggle, Task


def test_the_demo_has_a_rent_strike_with_a_pledge_part_way_and_is_wiped_whole(db):
    org = create_demo(members=80)
    strike = Struggle.objects.get(organisation=org, title="Riverside Court rent strike")
    assert strike.status == "active" and strike.programme_keys == ["housing"]
    assert strike.updates.count() == 3
    pledge = strike.pledges.get()
    assert 0 < pledge.count < pledge.threshold and pledge.state() == "open"
    assert strike.events.count() == 2
    shifts = Task.objects.filter(event__struggle=strike)
    assert shifts.count() == 2 and all(t.starts_at for t in shifts)
    leaflets = strike.tasks.get(event__isnull=True)
    assert leaflets.taken == 2 and leaflets.status == "enough"
    request = strike.solidarity_requests.get()
    assert request.responses.get().responder_name == "Kingsport"
    remove_demo()  # `tribune demo --reset`: the struggle's tables go too
    assert not Organisation.objects.filter(slug=SLUG).exists()
    assert not Struggle.objects.exists() and not Commitment.objects.exists()
    assert not Notice.objects.exists() and not Task.objects.exists()
