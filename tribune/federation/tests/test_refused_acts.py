"""An act forwarded home and refused there is undone here: decision freed, refusal logged, told.

The home server is the ``peer`` fixture, whose answers are given in the test (as in
test_delivery); the acting side is this server's real services.
"""

import json
import uuid

import pytest
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.federation import delivery, signatures
from tribune.federation.models import Delivery
from tribune.federation.tests.test_inbox import REMOTE
from tribune.lib.errors import RuleViolation
from tribune.networks import networks
from tribune.networks.models import Cited, Membership, Network
from tribune.networks.tests.conftest import DELEGATE_POWERS, referendum
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office
from tribune.struggles.models import Notice

REASON = "This network no longer takes new members."


class Answer:
    def __init__(self, status: int, body: dict):
        self.status_code, self.text = status, json.dumps(body)

    def json(self):
        return json.loads(self.text)


@pytest.fixture(autouse=True)
def server_key(settings, tmp_path):
    settings.TRIBUNE_FEDERATION_KEY_FILE = str(tmp_path / "federation-key.pem")


@pytest.fixture
def answer(monkeypatch):
    """The home server's answer to every post (set ``answer[0]``)."""
    given = [None]
    monkeypatch.setattr(signatures, "post", lambda url, body, session=None: given[0])
    monkeypatch.setattr(delivery, "_schedule", lambda wait: None)
    return given


@pytest.fixture
def far_network(world, peer) -> Network:
    """A copy of a network decided on the home server (``peer``), which invited Test Union."""
    body = create_body(world.org, name="Network delegation", kind=BodyKind.COMMISSION)
    office = create_office(
        body, title="Network delegate", mandate="Represent us.", powers=DELEGATE_POWERS, seats=2
    )
    begin_term(office, world.ben, source=TermSource.ELECTION)
    network = Network.objects.create(
        uri=f"{REMOTE}/id/network/{uuid.uuid4()}",
        home=False,
        slug="far-net",
        name="Far Renters",
        purpose="Elsewhere.",
        decision_rule="one_vote",
        founded_by_uri=f"{REMOTE}/id/organisation/{uuid.uuid4()}",
    )
    Membership.objects.create(
        network=network,
        member_uri=world.org.uri,
        member_name=world.org.name,
        kind="organisation",
        organisation=world.org,
        state="invited",
    )
    return network


def join(world, network, vote):
    return networks.join(
        world.ben, world.org, network, decision_kind="referendum", decision_ref=vote.pk
    )


def test_a_refused_join_frees_the_decision_logs_the_refusal_and_tells_the_delegate(
    world, far_network, answer
):
    vote = referendum(world.org, world.ana, [world.ana, world.ben, world.cam], "Join Far?")
    join(world, far_network, vote)
    (sent,) = Delivery.objects.all()
    assert Cited.objects.filter(organisation_uri=world.org.uri).count() == 1
    with pytest.raises(RuleViolation, match="already been cited"):
        join(world, far_network, vote)

    # A second delegate, suspended since: no mandate is exercised, so nothing to be told.
    from tribune.members.models import Member
    from tribune.offices.models import Term

    begin_term(Term.objects.get(member=world.ben).office, world.cam, source=TermSource.ELECTION)
    Member.objects.filter(pk=world.cam.pk).update(standing="suspended")
    answer[0] = Answer(422, {"error": "refused", "reason": REASON})
    assert delivery.deliver(sent.pk) == "refused"
    sent.refresh_from_db()
    assert (sent.status, sent.last_error) == (Delivery.Status.REFUSED, REASON)

    # The act never happened: the log says so after it, with the home's reason.
    actions = list(
        AuditEntry.objects.filter(organisation=world.org)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert [a for a in actions if a.startswith("network.")] == [
        "network.joined",
        "network.act_refused",
    ]
    assert actions[-1] == "network.act_refused"
    entry = AuditEntry.objects.filter(organisation=world.org).latest("seq")
    assert entry.data["reason"] == REASON and entry.data["act"] == "join"
    assert entry.data["decision_freed"]["title"] == "Join Far?"
    # The delegate who may act for the organisation in networks is told, once; nobody else.
    (notice,) = Notice.objects.filter(text__contains=REASON)
    assert notice.member == world.ben
    assert "Far Renters" in notice.text and notice.link == "/networks/far-net/"
    # The referendum may be cited again, for the act once the home server allows it.
    assert not Cited.objects.filter(organisation_uri=world.org.uri).exists()
    join(world, far_network, vote)
    assert Delivery.objects.count() == 2


def test_a_refusal_is_acted_on_once_and_never_sent_again(world, far_network, answer):
    vote = referendum(world.org, world.ana, [world.ana, world.ben, world.cam], "Join Far?")
    join(world, far_network, vote)
    sent = Delivery.objects.get()
    answer[0] = Answer(422, {"error": "refused", "reason": REASON})
    assert delivery.deliver(sent.pk) == "refused"
    # A second worker whose lease ran out finds it refused: nothing more happens.
    Delivery.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(sent.pk) is None
    assert delivery.retry_failed() == 0  # the operator's "send again" leaves it refused
    assert AuditEntry.objects.filter(action="network.act_refused").count() == 1
    assert Notice.objects.filter(text__contains=REASON).count() == 1
    assert delivery.summary()["refused"] == 1


@pytest.mark.parametrize(
    "status,body",
    [
        (422, {"error": "not_understood", "reason": "This server does not take that."}),
        (403, {"error": "refused", "reason": "Not linked."}),
    ],
)
def test_other_refusals_fail_the_delivery_and_undo_nothing(
    world, far_network, answer, status, body
):
    """Only the home's rules refusing the act undo it; a link or format problem is the
    operator's to fix, and the act may yet be delivered."""
    vote = referendum(world.org, world.ana, [world.ana, world.ben, world.cam], "Join Far?")
    join(world, far_network, vote)
    sent = Delivery.objects.get()
    answer[0] = Answer(status, body)
    assert delivery.deliver(sent.pk) == "failed"
    assert Cited.objects.filter(organisation_uri=world.org.uri).count() == 1
    assert not AuditEntry.objects.filter(action="network.act_refused").exists()
    # The delegate is told it is not done there yet, and that it can be sent again.
    (notice,) = Notice.objects.filter(key__startswith="act-undelivered:")
    assert notice.member == world.ben and "can send it again" in notice.text


def test_an_act_given_up_after_48_hours_is_told_once_and_undoes_nothing(world, far_network, answer):
    from datetime import timedelta

    from tribune.federation.models import Activity

    vote = referendum(world.org, world.ana, [world.ana, world.ben, world.cam], "Join Far?")
    join(world, far_network, vote)
    sent = Delivery.objects.get()
    Activity.objects.update(created_at=timezone.now() - timedelta(hours=49))
    answer[0] = Answer(503, {})
    assert delivery.deliver(sent.pk) == "failed"
    assert Notice.objects.filter(key__startswith="act-undelivered:").count() == 1
    # The operator sends it again; it fails again: nobody is told twice.
    assert delivery.retry_failed() == 1
    assert delivery.deliver(sent.pk) == "failed"
    assert Notice.objects.filter(key__startswith="act-undelivered:").count() == 1
    assert Cited.objects.filter(organisation_uri=world.org.uri).count() == 1


def test_the_organisations_page_shows_its_officers_what_waits_and_what_was_refused(
    world, far_network, answer
):
    from django.test import Client
    from django.urls import reverse

    url = reverse("web:org_networks", args=[world.org.slug])

    def page(user=None) -> str:
        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client.get(url).content.decode()

    vote = referendum(world.org, world.ana, [world.ana, world.ben, world.cam], "Join Far?")
    join(world, far_network, vote)
    assert "waiting for its answer" in page(world.users["ben"])
    # Only those who may act for the organisation see what it sent.
    for other in (None, world.users["cam"]):
        assert "What we sent" not in page(other)
    answer[0] = Answer(422, {"error": "refused", "reason": REASON})
    delivery.deliver(Delivery.objects.get().pk)
    shown = page(world.users["ben"])
    assert "waiting for its answer" not in shown and REASON in shown
    # Taken there: nothing left to say (the copy changes when the home's state arrives).
    join(world, far_network, vote)
    answer[0] = Answer(202, {"outcome": "accepted"})
    delivery.deliver(Delivery.objects.latest("pk").pk)
    shown = page(world.users["ben"])
    assert "waiting for its answer" not in shown and shown.count(REASON) == 1


def test_a_sent_act_is_listed_for_the_organisation_that_acted_only(world, far_network):
    from tribune.federation import network_bridge

    far_network.memberships.filter(member_uri=world.org.uri).update(state="member")
    invited = f"{REMOTE}/id/organisation/{uuid.uuid4()}"
    networks.invite(
        world.ben, world.org, far_network, member_uri=invited, member_name="Invited Union"
    )
    (act,) = network_bridge.acts_of(None, organisation_uri=world.org.uri)
    assert (act.action, act.state, act.target_uri) == ("invite", "waiting", far_network.uri)
    assert network_bridge.acts_of(None, organisation_uri=invited) == []

    # Read in a fixed number of queries however many acts wait (the page lists them all).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counted() -> int:
        with CaptureQueriesContext(connection) as captured:
            network_bridge.acts_of(None, organisation_uri=world.org.uri)
        return len(captured)

    one = counted()
    for n in range(4):
        networks.invite(
            world.ben, world.org, far_network, member_uri=f"{invited}{n}", member_name=f"U{n}"
        )
    assert len(network_bridge.acts_of(None, organisation_uri=world.org.uri)) == 5
    assert counted() == one
