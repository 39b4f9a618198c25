"""The seams the federation uses: acts on copies are forwarded with the record functions'
own arguments, and a trigger from the home server reaches this server's pledgers once."""

import inspect
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.lib.errors import RuleViolation
from tribune.networks import coalitions, concert, networks
from tribune.networks.common import forward
from tribune.networks.models import (
    Coalition,
    ConcertPledge,
    Membership,
    Network,
    Participation,
)
from tribune.struggles.models import Notice
from tribune.struggles.services import pledges

FAR = "https://far.example/id"


@pytest.fixture
def sent():
    messages = []

    def listen(sender, **kwargs):
        messages.append(kwargs)

    forward.connect(listen, dispatch_uid="test-forward")
    yield messages
    forward.disconnect(dispatch_uid="test-forward")


def _copy_of_a_far_network(pair) -> Network:
    network = Network.objects.create(
        uri=f"{FAR}/network/{uuid.uuid4()}",
        home=False,
        slug="far-net",
        name="Far network",
        purpose="Elsewhere.",
        decision_rule="one_vote",
        founded_by_uri=f"{FAR}/organisation/1",
    )
    Membership.objects.create(
        network=network,
        member_uri=pair.b.uri,
        member_name="Other Union",
        kind="organisation",
        organisation=pair.b,
        state="invited",
    )
    return network


def test_joining_a_network_decided_elsewhere_is_forwarded_with_record_joins_arguments(pair, sent):
    network = _copy_of_a_far_network(pair)
    vote = pair.vote_b("Join the far network?")
    networks.join(pair.zoe, pair.b, network, decision_kind="referendum", decision_ref=vote.pk)
    (message,) = sent
    assert message["target_uri"] == network.uri and message["action"] == "join"
    assert set(message["values"]) == set(inspect.signature(networks.record_join).parameters)
    assert message["values"]["decision"]["title"] == "Join the far network?"
    # Decided there: nothing changes here until the home server says so; the decision is used.
    assert network.memberships.get(member_uri=pair.b.uri).state == "invited"
    with pytest.raises(RuleViolation, match="already been cited"):
        networks.join(pair.zoe, pair.b, network, decision_kind="referendum", decision_ref=vote.pk)


def test_ratifying_a_coalition_decided_elsewhere_is_forwarded(pair, sent):
    coalition = Coalition.objects.create(
        uri=f"{FAR}/coalition/{uuid.uuid4()}",
        home=False,
        slug="far-coalition",
        name="Far coalition",
        ends_on=timezone.localdate() + timedelta(days=9),
        founded_by_uri=f"{FAR}/organisation/1",
    )
    Participation.objects.create(
        coalition=coalition,
        organisation_uri=pair.b.uri,
        organisation_name="Other Union",
        organisation=pair.b,
    )
    coalitions.decide(pair.zoe, pair.b, coalition, "ratified", decision_kind="mandate")
    (message,) = sent
    assert message["action"] == "decide"
    assert set(message["values"]) == set(inspect.signature(coalitions.record_state).parameters)


def test_a_trigger_from_the_home_server_reaches_each_pledger_here_once(
    pair, sent, django_capture_on_commit_callbacks
):
    coalition = Coalition.objects.create(
        uri=f"{FAR}/coalition/{uuid.uuid4()}",
        home=False,
        slug="far-coalition",
        name="Far coalition",
        ends_on=timezone.localdate() + timedelta(days=9),
        founded_by_uri=f"{FAR}/organisation/1",
    )
    Participation.objects.create(
        coalition=coalition,
        organisation_uri=pair.b.uri,
        organisation_name="Other Union",
        organisation=pair.b,
        state="ratified",
        round=1,
    )
    copy = ConcertPledge.objects.create(
        uri=f"{FAR}/concert-pledge/{uuid.uuid4()}",
        home=False,
        coalition=coalition,
        action="Strike",
        threshold=100,
        deadline=timezone.now() + timedelta(days=2),
        created_by_uri=f"{FAR}/organisation/1",
    )
    chapter = concert.open_chapter(pair.zoe, pair.b, copy)
    pledges.make_pledge(pair.yan, chapter)
    (message,) = sent  # the count goes to the home server, never a name
    assert message["action"] == "count"
    assert message["values"] == {
        "pledge_uri": copy.uri,
        "organisation_uri": pair.b.uri,
        "count": 1,
        "organisation_name": "Other Union",
    }
    with pytest.raises(RuleViolation, match="its own server"):
        concert.report_count(copy.uri, pair.b.uri, 5)
    for _ in range(2):  # a repeated message changes nothing
        with django_capture_on_commit_callbacks(execute=True):
            concert.receive_trigger(copy.uri)
    chapter.refresh_from_db()
    assert chapter.triggered_at is not None
    assert Notice.objects.filter(member=pair.yan, key__contains=":triggered").count() == 1


def _far_parent(pair, member_uri: str, slug: str = "far-parent") -> Network:
    parent = Network.objects.create(
        uri=f"{FAR}/network/{uuid.uuid4()}",
        home=False,
        slug=slug,
        name="Far parent",
        purpose="Elsewhere.",
        decision_rule="one_vote",
        founded_by_uri=f"{FAR}/organisation/1",
    )
    Membership.objects.create(
        network=parent,
        member_uri=member_uri,
        member_name="A network",
        kind="network",
        state="invited",
    )
    return parent


def test_a_networks_endorsements_go_to_its_home_and_its_decision_to_the_parents(pair, sent):
    # Endorsing a network decided elsewhere: forwarded to its home with record_endorsement's
    # arguments.
    far = _copy_of_a_far_network(pair)
    Membership.objects.filter(network=far).update(state="member")
    parent = _far_parent(pair, far.uri)
    networks.endorse(pair.zoe, pair.b, far, act="join", parent=parent, decision_kind="mandate")
    (message,) = sent
    assert (message["target_uri"], message["action"]) == (far.uri, "endorse")
    assert set(message["values"]) == set(inspect.signature(networks.record_endorsement).parameters)
    # A network decided here, whose endorsements carry: its decision goes to the parent's
    # home with record_network_decision's arguments; the copy here waits for that server.
    sent.clear()
    home = networks.found_network(
        pair.ana,
        pair.a,
        name="Home network",
        slug="home-net",
        purpose="Here.",
        decision_rule="one_vote",
        decision_kind="mandate",
    )
    parent_of_home = _far_parent(pair, home.uri, slug="far-parent-2")
    outcome = networks.endorse(
        pair.ana, pair.a, home, act="join", parent=parent_of_home, decision_kind="mandate"
    )
    assert outcome["carried"] is True
    (message,) = sent
    assert (message["target_uri"], message["action"]) == (parent_of_home.uri, "network")
    assert set(message["values"]) == set(
        inspect.signature(networks.record_network_decision).parameters
    )
    assert message["values"]["endorsed_by"] == [pair.a.uri]
    assert parent_of_home.memberships.get(member_uri=home.uri).state == "invited"


def test_what_is_shared_from_another_server_reaches_the_pages_and_the_feed(pair, sent, client):
    from django.urls import reverse

    from tribune.lib.errors import NotPermitted
    from tribune.networks import sharing
    from tribune.networks.tests.test_coalitions import both_ratify, propose
    from tribune.struggles.services import events

    # Sharing with a coalition decided elsewhere: forwarded with record_shared's arguments.
    far = Coalition.objects.create(
        uri=f"{FAR}/coalition/{uuid.uuid4()}",
        home=False,
        slug="far-coalition",
        name="Far coalition",
        ends_on=timezone.localdate() + timedelta(days=9),
        founded_by_uri=f"{FAR}/organisation/1",
    )
    Participation.objects.create(
        coalition=far,
        organisation_uri=pair.b.uri,
        organisation_name="Other Union",
        organisation=pair.b,
        state="ratified",
        round=1,
    )
    start = timezone.now() + timedelta(days=2)
    rally = events.create_event(
        pair.zoe,
        pair.b,
        title="Rally",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        place="Square",
    )
    sharing.share(pair.zoe, pair.b, far, kind="event", item_id=rally.pk)
    (message,) = sent
    assert message["action"] == "share" and message["values"]["kind"] == "event"
    assert set(message["values"]) == set(inspect.signature(sharing.record_shared).parameters)
    # Moved: sent again. Made members-only: withdrawn there, and nothing of it leaves here.
    sent.clear()
    rally.refresh_from_db()
    rally.place = "Town hall"
    rally.save()
    (moved,) = sent
    assert moved["values"]["details"]["place"] == "Town hall"
    sent.clear()
    rally.visibility, rally.place = "members", "Secret back room"
    rally.save()
    (withdrawn,) = sent
    assert withdrawn["action"] == "unshare" and withdrawn["target_uri"] == far.uri
    assert set(withdrawn["values"]) == set(inspect.signature(sharing.record_unshared).parameters)
    assert "Secret" not in str(withdrawn) and "Rally" not in str(withdrawn)
    # On a coalition decided here: an organisation of another server that ratified shares.
    coalition = propose(pair)
    both_ratify(pair, coalition)
    elsewhere = f"{FAR}/organisation/2"
    Participation.objects.create(
        coalition=coalition,
        organisation_uri=elsewhere,
        organisation_name="Far Union",
        state="ratified",
        round=coalition.round,
    )
    values = {
        **message["values"],
        "holder_uri": coalition.uri,
        "organisation_uri": elsewhere,
        "organisation_name": "Far Union",
        "item_uri": "https://far.example/o/far/events/3/",
        "title": "Far rally",
    }
    values["details"] = {**values["details"], "uid": str(uuid.uuid4())}
    with pytest.raises(NotPermitted):
        sharing.record_shared(**{**values, "organisation_uri": f"{FAR}/organisation/3"})
    with pytest.raises(RuleViolation):
        sharing.record_shared(**{**values, "kind": "weapon"})
    with pytest.raises(RuleViolation):
        sharing.record_shared(**{**values, "item_uri": "javascript:alert(1)"})
    sharing.record_shared(**values)
    sharing.record_shared(**{**values, "title": "Far rally, moved"})  # shared again: updated
    import icalendar

    feed = client.get(reverse("web:coalition_calendar", args=[coalition.slug])).content
    (event,) = icalendar.Calendar.from_ical(feed).walk("VEVENT")
    assert str(event["summary"]) == "Far rally, moved"
    assert str(event["uid"]) == f"{values['details']['uid']}@far.example"
    assert str(event["url"]) == "https://far.example/o/far/events/3/"
    page = client.get(reverse("web:coalition", args=[coalition.slug])).content.decode()
    assert "Far rally, moved" in page and "Far Union" in page
    # Only the organisation that shared an item takes it off; then it goes from the pages.
    item = {"holder_uri": coalition.uri, "item_uri": values["item_uri"]}
    assert sharing.record_unshared(**item, organisation_uri=pair.b.uri) == 0
    assert sharing.record_unshared(**item, organisation_uri=elsewhere) == 1
    feed = client.get(reverse("web:coalition_calendar", args=[coalition.slug])).content
    assert icalendar.Calendar.from_ical(feed).walk("VEVENT") == []
    page = client.get(reverse("web:coalition", args=[coalition.slug])).content.decode()
    assert "Far rally" not in page


def test_a_copy_drops_what_its_home_no_longer_lists_as_shared(pair):
    """The home's state carries the whole shared list: an item withdrawn there goes here."""
    from tribune.networks import replicas

    state = {
        "type": "tribune:Coalition",
        "id": f"{FAR}/coalition/{uuid.uuid4()}",
        "slug": "far-coalition",
        "name": "Far coalition",
        "purpose": "",
        "network": None,
        "ends_on": (timezone.localdate() + timedelta(days=9)).isoformat(),
        "round": 1,
        "founded_by_uri": f"{FAR}/organisation/1",
        "demands": [],
        "participants": [],
        "shared": [
            {
                "uri": f"https://far.example/o/far/{page}/",
                "title": title,
                "kind": "struggle",
                "details": {},
                "organisation_uri": f"{FAR}/organisation/1",
                "organisation_name": "Far Union",
            }
            for page, title in (("struggles/1", "Repairs now"), ("struggles/2", "Rent strike"))
        ],
    }
    copy = replicas.apply(state)
    assert sorted(copy.documents.values_list("title", flat=True)) == ["Rent strike", "Repairs now"]
    replicas.apply({**state, "shared": state["shared"][1:]})
    assert list(copy.documents.values_list("title", flat=True)) == ["Rent strike"]
    replicas.apply({**state, "shared": []})
    assert not copy.documents.exists()
