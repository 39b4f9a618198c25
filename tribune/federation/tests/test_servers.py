"""Three real Tribune servers, real HTTP between them, the task queue running.

Started once for the module (tribune/federation/harness.py): each is ``tribune
serve`` on its own port, data directory and database (SQLite files, or
throw-away PostgreSQL databases when the suite runs on PostgreSQL). The tests
run in order on the same servers: operators link them; forged, replayed, stale,
unknown-key and digest-mismatched requests are refused with their reasons; a
repeated activity id has no second effect; a server killed while messages are
on their way gets every one exactly once after its restart; audit checkpoints
are countersigned across servers and a rewritten log is caught; organisations on
three servers act in concert; then, on the same servers (no new start), what each
shares reaches every server's coalition page and calendar, a network of networks
spans servers (its parent relayed and fetched again from its origin), an
organisation leaves by its own decision, and the coalition ends and is renewed
with fresh ratifications; a revoked link refuses (403) and delivery stops.
"""

import datetime
import json
import uuid

import pytest
import requests
from cryptography.hazmat.primitives import serialization

from tribune.federation import signatures
from tribune.federation.harness import Operator, cluster, link, wait_for

# Each server founds an organisation of its own (through the public service), whose
# audit log the witnessing test checkpoints.
FOUND = """
from datetime import timedelta
from unittest import mock
from tribune.elections import services as elections
from tribune.elections.models import Kind
from tribune.members.models import Member
from tribune.members.services import admit_member, apply_for_membership
from tribune.organisations.services import found_organisation
org = found_organisation(
    name=NAME.upper() + " Union", slug=NAME + "-union",
    constitution={"default_term_days": 365, "max_term_days": 730, "term_limit": 2,
                  "recall_threshold_percent": 20, "quorum_percent": 10,
                  "faction_threshold": 3, "admission_rule": "officer"},
    founders=[{"name": "Op", "email": user.email, "user": user, "office": "Secretary",
               "powers": ["admit_members", "call_elections", "represent_in_networks",
                          "run_struggles", "curate_archive"]}],
)
op = Member.objects.get(organisation=org, user=user)
voters = [op]
for i in range(2):
    u = get_user_model().objects.create_user(NAME + str(i), f"m{i}@{NAME}.test", "a long pw 42 x")
    member = apply_for_membership(org, user=u, name=f"Member {i}", email=u.email,
                                  branch=org.root_branch)
    admit_member(op, member)
    voters.append(member)
# The members decide, under their own constitution, to ratify the coalition.
question = "Ratify the Rent Freeze Coalition?"
election = elections.call_election(op, kind=Kind.REFERENDUM, title=question, question=question,
                                   electorate_branch=org.root_branch)
with mock.patch("django.utils.timezone.now",
                return_value=election.voting_open_at + timedelta(minutes=1)):
    for voter in voters:
        elections.cast_ballot(Member.objects.get(pk=voter.pk), election, "yes")
elections.advance(election, election.voting_close_at)
"""

# Run in a server's shell: the organisation, its officer and its members.
CONTEXT = """
import json, time
from datetime import date, timedelta
from django.utils import timezone
from tribune.elections.models import Election
from tribune.members.models import Member
from tribune.networks import coalitions, concert, networks
from tribune.networks.models import Coalition, ConcertPledge, Network
from tribune.organisations.models import Organisation
from tribune.struggles.services import pledges
org = Organisation.objects.get()
op = Member.objects.get(organisation=org, name="Op")
members = list(Member.objects.filter(organisation=org).order_by("pk"))
referendum = Election.objects.get(organisation=org)
def copy_of(model, **filters):
    for _ in range(300):
        found = model.objects.filter(home=False, **filters).first()
        if found is not None:
            return found
        time.sleep(0.1)
    raise SystemExit("no copy arrived")
def until(check, what="a message"):
    for _ in range(900):
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise SystemExit("timed out waiting for " + what)
def refused(act):
    try:
        act()
    except Exception as error:
        return str(getattr(error, "message", error))
    return "not refused"
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with cluster(tmp_path_factory.mktemp("federation"), ["a", "b", "c"], setup=FOUND) as nodes:
        yield nodes


@pytest.fixture(scope="module")
def operators(servers):
    return [Operator(node) for node in servers]


def _actor(node) -> dict:
    return requests.get(f"{node.url}/federation/actor", timeout=10).json()


def _signed_post(url: str, body: bytes, key, key_id: str, created=None) -> requests.PreparedRequest:
    prepared = requests.Request(
        "POST", url, data=body, headers={"Content-Type": signatures.ACTIVITY_JSON}
    ).prepare()
    signatures.sign(prepared, key=key, key_id=key_id, created=created)
    return prepared


def _send(prepared) -> requests.Response:
    with requests.Session() as session:
        return session.send(prepared, timeout=20)


def _pings(node, sender) -> int:
    return node.scalar(
        "SELECT COUNT(*) FROM federation_receivedactivity r"
        " JOIN federation_peer p ON p.id = r.peer_id"
        " WHERE r.object_type = 'tribune:Ping' AND p.inbox = ?",
        (f"{sender.url}/federation/inbox",),
    )


def _deliveries(node, to, status: str) -> int:
    return node.scalar(
        "SELECT COUNT(*) FROM federation_delivery d JOIN federation_peer p ON p.id = d.peer_id"
        " WHERE d.status = ? AND p.inbox = ?",
        (status, f"{to.url}/federation/inbox"),
    )


def _peer_id(node, other) -> str:
    return str(
        node.scalar(
            "SELECT id FROM federation_peer WHERE inbox = ?", (f"{other.url}/federation/inbox",)
        )
    )


def test_operators_link_the_servers(servers, operators):
    a, b, c = servers
    op_a, op_b, op_c = operators
    # Once with the command line, then on the operators' page.
    a.tribune("peers", "request", b.url)
    # Asked, not approved: no link yet on either side.
    assert b.query("SELECT status FROM federation_peer") == [("pending",)]
    assert a.query("SELECT status FROM federation_peer") == [("requested",)]
    assert _deliveries(a, b, "queued") == 0
    b.tribune("peers", "approve", _peer_id(b, a))
    wait_for(
        lambda: a.query("SELECT status FROM federation_peer") == [("active",)], what="A active"
    )
    link(op_a, op_c)
    link(op_b, op_c)
    # Each side's operators' acts are in that server's own chain, the peer named by its
    # public actor id only.
    assert [r[0] for r in b.query("SELECT action FROM federation_serveract ORDER BY seq")][:2] == [
        "peer.asked",
        "peer.approved",
    ]
    assert a.query("SELECT action FROM federation_serveract ORDER BY seq")[:2] == [
        ("peer.requested",),
        ("peer.accepted",),
    ]
    listed = json.loads(a.tribune("peers", "list", "--json").stdout)
    assert {p["status"] for p in listed["peers"]} == {"active"} and len(listed["peers"]) == 2


def test_bad_requests_are_refused_with_their_reasons(servers):
    a, b, _c = servers
    key_id = _actor(a)["publicKey"]["id"]
    key = serialization.load_pem_private_key(a.private_key_pem(), password=None)
    inbox = f"{b.url}/federation/inbox"
    activity = {
        "id": f"{a.url}/federation/activities/{uuid.uuid4()}",
        "type": "Create",
        "actor": _actor(a)["id"],
        "object": {"type": "tribune:Ping"},
    }
    body = json.dumps(activity).encode()

    def refusal(response):
        return response.status_code, response.json()["error"]

    unsigned = requests.post(inbox, data=body, headers={"Content-Type": signatures.ACTIVITY_JSON})
    assert refusal(unsigned) == (401, "unsigned")
    tampered = _signed_post(inbox, body, key, key_id)
    tampered.body = body.replace(b"Ping", b"Pong")
    assert refusal(_send(tampered)) == (401, "digest_mismatch")
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=310)
    assert refusal(_send(_signed_post(inbox, body, key, key_id, created=old))) == (401, "stale")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = Ed25519PrivateKey.generate()
    unknown = _signed_post(inbox, body, stranger, "https://nobody.example/actor#main-key")
    assert refusal(_send(unknown)) == (401, "unknown_key")
    forged = _signed_post(inbox, body, stranger, key_id)  # A's key id, another key
    assert refusal(_send(forged)) == (401, "bad_signature")
    assert _pings(b, a) == 0

    genuine = _signed_post(inbox, body, key, key_id)
    first = _send(genuine)
    assert first.status_code == 202 and first.json()["outcome"] == "accepted"
    assert refusal(_send(genuine)) == (401, "replayed")
    # The same activity freshly signed (a sender's retry): 202, no second effect.
    again = _send(_signed_post(inbox, body, key, key_id))
    assert again.status_code == 202 and again.json()["outcome"] == "duplicate"
    assert _pings(b, a) == 1


def test_a_server_killed_mid_way_gets_every_message_once_after_restart(servers, operators):
    a, b, _c = servers
    op_a = operators[0]
    before = _pings(b, a)
    delivered_before = _deliveries(a, b, "delivered")
    assert op_a.act("ping", peer=_peer_id(a, b), count="10").status_code == 302
    b.kill()
    assert op_a.act("ping", peer=_peer_id(a, b), count="10").status_code == 302
    wait_for(lambda: _deliveries(a, b, "queued") > 0, what="deliveries waiting for B")
    b.start().wait_ready()
    wait_for(
        lambda: _deliveries(a, b, "delivered") == delivered_before + 20,
        timeout=45,
        what="all 20 pings delivered after B's restart",
    )
    assert _pings(b, a) == before + 20
    assert _deliveries(a, b, "failed") == 0


def test_checkpoints_are_witnessed_and_a_rewritten_log_is_caught(servers, operators):
    a, _b, c = servers
    op_a = operators[0]
    assert op_a.act("witness").status_code == 302
    wait_for(
        lambda: a.scalar("SELECT COUNT(*) FROM federation_countersignature") == 2,
        what="B and C to countersign A's checkpoint",
    )
    checked = op_a.act("check")
    assert checked.status_code == 200 and "the log still holds it" in checked.text
    assert "broken" not in checked.text
    # A's operator rewrites the last entry of the log behind the application's back,
    # and deletes the countersigned copies kept here: the peers still have theirs.
    a.write(
        "UPDATE audit_auditentry SET action = 'member.pardoned'"
        " WHERE seq = (SELECT MAX(seq) FROM audit_auditentry)"
    )
    a.write("DELETE FROM federation_countersignature")
    caught = op_a.act("check")
    assert caught.text.count("<strong>broken</strong>") == 2, caught.text
    assert "was rewritten" in caught.text
    assert c.scalar("SELECT COUNT(*) FROM federation_witnessed") == 1


def _org_uri(node) -> str:
    uid = node.scalar("SELECT uid FROM organisations_organisation")
    return f"{node.url}/id/organisation/{uuid.UUID(str(uid))}"


def _in_parallel(*calls) -> list:
    """Shell calls on several servers at once (each is a process of its own)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(node.shell, code) for node, code in calls]]


def _notices(node) -> list[tuple]:
    return node.query(
        "SELECT member_id, COUNT(*) FROM struggles_notice WHERE key LIKE 'pledge:%:triggered'"
        " GROUP BY member_id ORDER BY member_id"
    )


def test_organisations_on_three_servers_act_in_concert(servers):
    """The issue's scenario: a network across two servers, a coalition on one demand ratified
    by each organisation's own referendum on three, a coalition pledge reaching its threshold
    from pledges on all three, every pledger told exactly once."""
    a, b, c = servers
    b_uri, c_uri = _org_uri(b), _org_uri(c)
    # A's organisation founds a network (by its mandated officer) and invites B's.
    network_uri = a.shell(
        CONTEXT + "net = networks.found_network(op, org, name='Rent Network', slug='rent-network',"
        " purpose='Tenants and workers together.', decision_rule='one_vote',"
        " decision_kind='mandate')\n"
        f"networks.invite(op, org, net, member_uri={b_uri!r}, member_name='B Union')\n"
        "print(json.dumps(net.uri))"
    )
    # B's organisation joins by its own mandated decision, acting on its copy.
    b.shell(
        CONTEXT + f"net = copy_of(Network, uri={network_uri!r})\n"
        "networks.join(op, org, net, decision_kind='mandate'); print(1)"
    )
    wait_for(
        lambda: (
            a.query("SELECT state FROM networks_membership WHERE member_uri = ?", (b_uri,))
            == [("member",)]
        ),
        what="B's organisation to be a member on the network's home server",
    )
    # A coalition on one demand, within the network; C's organisation is invited too.
    coalition_uri = a.shell(
        CONTEXT + "net = Network.objects.get(slug='rent-network')\n"
        "k = coalitions.create_coalition(op, org, name='Rent Freeze Coalition',"
        " slug='rent-freeze', demands=[{'key': 'rent-freeze', 'title': 'Freeze rents'}],"
        " ends_on=date.today() + timedelta(days=90), network=net)\n"
        f"coalitions.invite(op, org, k, organisation_uri={b_uri!r}, organisation_name='B Union')\n"
        f"coalitions.invite(op, org, k, organisation_uri={c_uri!r}, organisation_name='C Union')\n"
        "coalitions.decide(op, org, k, 'ratified', decision_kind='referendum',"
        " decision_ref=referendum.pk)\n"
        "print(json.dumps(k.uri))"
    )
    ratify = (
        CONTEXT + f"k = copy_of(Coalition, uri={coalition_uri!r})\n"
        "coalitions.decide(op, org, k, 'ratified', decision_kind='referendum',"
        " decision_ref=referendum.pk); print(1)"
    )
    _in_parallel((b, ratify), (c, ratify))
    wait_for(
        lambda: (
            a.scalar("SELECT COUNT(*) FROM networks_participation WHERE state = 'ratified'") == 3
        ),
        what="three ratifications on the coalition's home server",
    )
    # Each ratification cites that organisation's own certified referendum.
    for node in (b, c):
        cited = a.scalar(
            "SELECT decision FROM networks_participation WHERE organisation_uri = ?",
            (_org_uri(node),),
        )
        cited = json.loads(cited) if isinstance(cited, str) else cited
        assert cited["kind"] == "referendum" and cited["organisation_uri"] == _org_uri(node)
    # A coalition pledge: 9 must commit, 3 on each server.
    pledge_uri = a.shell(
        CONTEXT + "k = Coalition.objects.get(slug='rent-freeze')\n"
        "p = concert.create(op, org, k, action='Rent strike from the first of the month',"
        " threshold=9, deadline=timezone.now() + timedelta(days=7))\n"
        "chapter = concert.open_chapter(op, org, p)\n"
        "[pledges.make_pledge(m, chapter) for m in members]\n"
        "print(json.dumps(p.uri))"
    )
    pledge_here = (
        CONTEXT + f"p = copy_of(ConcertPledge, uri={pledge_uri!r})\n"
        "chapter = concert.open_chapter(op, org, p)\n"
        "[pledges.make_pledge(m, chapter) for m in members]; print(1)"
    )
    for node in (b, c):
        wait_for(
            lambda node=node: node.scalar("SELECT COUNT(*) FROM networks_concertpledge") == 1,
            what=f"the pledge's copy on {node.name}",
        )
    # The pledge's home server dies; B and C pledge meanwhile: their counts wait in
    # their outboxes and are retried until A is back.
    a.kill()
    _in_parallel((b, pledge_here), (c, pledge_here))
    wait_for(
        lambda: b.scalar(
            "SELECT COUNT(*) FROM federation_delivery WHERE attempts > 0 AND status = 'queued'"
        ),
        what="B's counts to wait for A",
    )
    a.start().wait_ready()
    wait_for(
        lambda: all(len(_notices(node)) == 3 for node in servers),
        timeout=60,
        what="every pledger on every server to be told of the trigger",
    )
    # Exactly one notice each, one trigger, and the total from counts only.
    for node in servers:
        assert [count for _member, count in _notices(node)] == [1, 1, 1]
    assert a.query("SELECT total, triggered_at IS NOT NULL FROM networks_concertpledge") == [(9, 1)]
    for node in (b, c):
        assert (
            node.scalar(
                "SELECT COUNT(*) FROM networks_concertpledge WHERE triggered_at IS NOT NULL"
            )
            == 1
        )
    # Counts, never who: no pledger's name or id crossed to another server.
    for node in servers:
        for other in servers:
            if other is node:
                continue
            names = [n for (n,) in other.query("SELECT name FROM members_member")]
            received = json.dumps(node.query("SELECT data FROM federation_activity"))
            assert not any(f'"{n}"' in received for n in names if n.startswith("Member"))


# Each organisation shares a public event with the coalition; B's also a solidarity
# request, C's a published document of its archive.
SHARE = """
from tribune.archive import services as archive
from tribune.networks import sharing
from tribune.struggles.services import solidarity, struggles
from tribune.struggles.services.events import create_event
k = Coalition.objects.get(uri=COALITION)
soon = timezone.now() + timedelta(days=3)
event = create_event(op, org, title="Rally of " + org.name, starts_at=soon,
                     ends_at=soon + timedelta(hours=2), place="Town square")
sharing.share(op, org, k, kind="event", item_id=event.pk)
if NAME == "b":
    fight = struggles.start_struggle(op, org, title="Repairs now", status="active")
    ask = solidarity.ask(op, fight, kind="people", title="Pickets on Friday", quantity=20,
                         deadline=soon, on_date=soon.date(),
                         branches=[org.root_branch.slug])
    sharing.share(op, org, k, kind="solidarity", item_id=ask.pk)
if NAME == "c":
    doc = archive.propose_document(op, org, title="Our rent survey", text="Rents rose by 12%.")
    archive.decide(op, doc.versions.get(), publish=True, reason="Agreed by the committee.")
    sharing.share_document(op, org, k, document_id=doc.pk)
print(1)
"""


def _shell_for(node, code: str, **names) -> str:
    """``code`` after CONTEXT with ``names`` (and NAME, the node's name) bound."""
    bound = "".join(f"{k} = {v!r}\n" for k, v in {"NAME": node.name, **names}.items())
    return CONTEXT + bound + code


def _network_uri(node, slug: str) -> str:
    return node.scalar("SELECT uri FROM networks_network WHERE slug = ?", (slug,))


def test_networks_of_networks_sharing_leaving_and_renewal_across_servers(servers):
    """On the servers already linked, after the concert scenario: what is shared from each
    server reaches every server's coalition page and calendar; a network on B (with C's
    organisation) joins A's network by its members' endorsements, A's network reaching C
    relayed by B and fetched again from A; B's organisation leaves A's network by its own
    decision; the coalition ends at its end date and its renewal needs fresh ratifications
    on every server."""
    a, b, c = servers
    b_uri, c_uri = _org_uri(b), _org_uri(c)
    coalition_uri = a.scalar("SELECT uri FROM networks_coalition")
    rent_uri = _network_uri(a, "rent-network")
    # One round of shells, each server acting as its messages arrive. B's organisation
    # founds a network with C's and (a member of A's network) invites it into A's; C's
    # organisation joins it on its copy. The network decides to join A's: both its
    # organisations endorse (one on its home server, B; one on C, forwarded to B), each
    # by its own decision. C acts on its copy of A's network, which only B told it of
    # (relayed), so C fetched it from A. Then B's organisation leaves A's network by its
    # own decision. Meanwhile each shares with the coalition.
    b_round = (
        "bnet = networks.found_network(op, org, name='B Network', slug='b-net',"
        " purpose='Tenants of the north.', decision_rule='one_vote', decision_kind='mandate')\n"
        "networks.invite(op, org, bnet, member_uri=C_ORG, member_name='C Union')\n"
        "networks.invite(op, org, Network.objects.get(uri=RENT), member_uri=bnet.uri,"
        " member_name='B Network', kind='network')\n"
    )
    c_round = (
        "bnet = copy_of(Network, slug='b-net')\n"
        "networks.join(op, org, bnet, decision_kind='mandate')\n"
    )
    endorse = (
        "bnet = Network.objects.get(slug='b-net')\n"
        "until(lambda: bnet.memberships.filter(member_uri=C_ORG, state='member').exists(),"
        " 'C in B network')\n"
        "parent = until(lambda: Network.objects.filter(uri=RENT,"
        " memberships__member_uri=bnet.uri, memberships__state='invited').first(),"
        " 'the invitation')\n"
        "networks.endorse(op, org, bnet, act='join', parent=parent, decision_kind='mandate')\n"
    )
    leave = "networks.leave(op, org, Network.objects.get(uri=RENT), decision_kind='mandate')\n"
    names = {"COALITION": coalition_uri, "RENT": rent_uri, "C_ORG": c_uri}
    _in_parallel(
        (a, _shell_for(a, SHARE, **names)),
        (b, _shell_for(b, b_round + SHARE + endorse + leave, **names)),
        (c, _shell_for(c, SHARE + c_round + endorse, **names)),
    )
    b_net = _network_uri(b, "b-net")

    def membership(node, member):
        return node.query(
            "SELECT m.state FROM networks_membership m JOIN networks_network n"
            " ON n.id = m.network_id WHERE n.uri = ? AND m.member_uri = ?",
            (rent_uri, member),
        )

    wait_for(lambda: membership(a, b_net) == [("member",)], what="B's network in A's")
    wait_for(lambda: membership(a, b_uri) == [("left",)], what="B's organisation to leave")
    for node in (b, c):
        wait_for(
            lambda node=node: (
                membership(node, b_net) == [("member",)] and membership(node, b_uri) == [("left",)]
            ),
            what=f"{node.name}'s copy of A's network",
        )
    # C never had A's network from A: B relayed only its address, and C's copy (with its
    # name and members) is what A served when C fetched it.
    assert c.scalar(
        "SELECT COUNT(*) FROM federation_receivedactivity r JOIN federation_peer p"
        " ON p.id = r.peer_id WHERE r.type = 'Announce' AND p.inbox = ?",
        (f"{b.url}/federation/inbox",),
    )
    announced = b.query("SELECT data FROM federation_activity WHERE type = 'Announce'")
    assert announced and "Rent Network" not in json.dumps(announced)
    # The decisions: B's network's joining names the organisations that endorsed it.
    decided = a.scalar(
        "SELECT join_decision FROM networks_membership WHERE member_uri = ?", (b_net,)
    )
    decided = json.loads(decided) if isinstance(decided, str) else decided
    assert decided == {"endorsed_by": sorted([b_uri, c_uri])}

    # Shared from three servers: on every server's coalition page and calendar.
    for node in servers:
        wait_for(
            lambda node=node: node.scalar("SELECT COUNT(*) FROM networks_shareddocument") == 5,
            what=f"what was shared, on {node.name}",
        )
        feed = requests.get(f"{node.url}/coalitions/rent-freeze/calendar.ics", timeout=20)
        assert feed.status_code == 200
        for other in ("A Union", "B Union", "C Union"):
            assert f"Rally of {other}" in feed.text, (node.name, feed.text)
        page = requests.get(f"{node.url}/coalitions/rent-freeze/", timeout=20).text
        assert "Pickets on Friday" in page and "Our rent survey" in page

    # C's organisation stops sharing its rally and its document (on its copy: forwarded
    # to A, whose next state carries the shorter list): they go from every server.
    withdraw = (
        "from tribune.archive.models import Document\n"
        "from tribune.networks import sharing\n"
        "from tribune.struggles.models import Event\n"
        "k = Coalition.objects.get(uri=COALITION)\n"
        "rally = Event.objects.get(organisation=org, concert_uri=COALITION)\n"
        "sharing.unshare(op, org, k, kind='event', item_id=rally.pk)\n"
        "sharing.unshare_document(op, org, k, document_id=Document.objects.get().pk); print(1)\n"
    )
    _in_parallel((c, _shell_for(c, withdraw, COALITION=coalition_uri)))
    for node in servers:
        wait_for(
            lambda node=node: node.scalar("SELECT COUNT(*) FROM networks_shareddocument") == 3,
            what=f"what C withdrew, off {node.name}",
        )
        feed = requests.get(f"{node.url}/coalitions/rent-freeze/calendar.ics", timeout=20).text
        assert "Rally of C Union" not in feed and "Rally of B Union" in feed, node.name
        page = requests.get(f"{node.url}/coalitions/rent-freeze/", timeout=20).text
        assert "Our rent survey" not in page and "Pickets on Friday" in page, node.name

    # The coalition's end date passes (the calendar, on every server alike).
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    for node in servers:
        node.write(f"UPDATE networks_coalition SET ends_on = '{yesterday}'")
    renewed_on = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    round_two = "until(lambda: Coalition.objects.get(uri=COALITION).round == 2, 'renewal')\n"
    ratify_again = (
        "k = Coalition.objects.get(uri=COALITION)\n"
        "coalitions.decide(op, org, k, 'ratified', decision_kind='mandate'); print(1)\n"
    )
    renew_at_b = (
        "k = Coalition.objects.get(uri=COALITION)\n"
        "ended = refused(lambda: coalitions.decide(op, org, k, 'ratified',"
        " decision_kind='mandate'))\n"
        "coalitions.renew(op, org, k, ends_on=date.fromisoformat(RENEWED))\n"
        + round_two
        + "k = Coalition.objects.get(uri=COALITION)\n"
        "again = refused(lambda: coalitions.decide(op, org, k, 'ratified',"
        " decision_kind='referendum', decision_ref=referendum.pk))\n"
        "coalitions.decide(op, org, k, 'ratified', decision_kind='mandate')\n"
        "print(json.dumps([ended, again]))\n"
    )
    outcome, *_rest = _in_parallel(
        (b, _shell_for(b, renew_at_b, COALITION=coalition_uri, RENEWED=renewed_on)),
        (a, _shell_for(a, round_two + ratify_again, COALITION=coalition_uri)),
        (c, _shell_for(c, round_two + ratify_again, COALITION=coalition_uri)),
    )
    ended, again = outcome
    assert "has ended" in ended
    assert "already been cited" in again  # the first round's referendum is used up

    def ratified(node) -> list[tuple]:
        return node.query(
            "SELECT c.round, c.ends_on, COUNT(*) FROM networks_participation p"
            " JOIN networks_coalition c ON c.id = p.coalition_id"
            " WHERE p.state = 'ratified' AND p.round = c.round GROUP BY c.round, c.ends_on"
        )

    for node in servers:
        wait_for(
            lambda node=node: (
                [(r, str(e), n) for r, e, n in ratified(node)] == [(2, renewed_on, 3)]
            ),
            what=f"three fresh ratifications of the renewed coalition on {node.name}",
        )


def test_revoking_a_link_refuses_the_peer_and_stops_delivery(servers, operators):
    a, b, _c = servers
    op_a, op_b, _op_c = operators
    before = _pings(b, a)
    b.tribune("peers", "revoke", _peer_id(b, a))
    assert op_a.act("ping", peer=_peer_id(a, b)).status_code == 302
    wait_for(lambda: _deliveries(a, b, "failed") == 1, what="A's ping refused by B")
    error = a.scalar(
        "SELECT last_error FROM federation_delivery WHERE status = 'failed' ORDER BY id DESC"
    )
    assert error.startswith("403") and "link_not_active" in error
    assert _pings(b, a) == before
    # And B sends nothing more to A: a ping is refused before it is queued.
    refused = op_b.act("ping", peer=_peer_id(b, a))
    assert refused.status_code == 400 and "not active" in refused.text
