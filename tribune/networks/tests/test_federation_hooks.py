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
