"""The inbox refuses what is not signed, fresh, intact, from an active peer: each with its reason.

A "remote server" here is a key of its own and a ``Peer`` row; requests are
signed with the same library the servers use, as that server would.
"""

import datetime
import json
import uuid

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from tribune.federation import keys, registry, signatures
from tribune.federation.models import Peer, ReceivedActivity
from tribune.lib.errors import RuleViolation

REMOTE = "https://remote.example"
RECEIVED: list[dict] = []


@registry.handles("Create", "test:Note")
def _note(peer, activity):
    if activity["object"].get("refuse"):
        raise RuleViolation("Refused on its merits.")
    RECEIVED.append(activity)


@pytest.fixture(autouse=True)
def server_key(settings, tmp_path):
    settings.TRIBUNE_FEDERATION_KEY_FILE = str(tmp_path / "federation-key.pem")
    RECEIVED.clear()


def _pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture
def remote(db):
    key = Ed25519PrivateKey.generate()
    peer = Peer.objects.create(
        actor_id=f"{REMOTE}/federation/actors/{uuid.uuid4()}",
        key_id=f"{REMOTE}/key#main-key",
        public_key_pem=_pem(key),
        inbox=f"{REMOTE}/federation/inbox",
        status=Peer.Status.ACTIVE,
        approved_here=True,
        approved_there=True,
    )
    return peer, key


def activity(peer, **extra) -> dict:
    return {
        "id": f"{REMOTE}/federation/activities/{uuid.uuid4()}",
        "type": "Create",
        "actor": peer.actor_id,
        "object": {"type": "test:Note", "content": "hello", **extra},
    }


def signed(body: bytes, key, key_id: str, created=None, path="/federation/inbox") -> dict:
    prepared = requests.Request(
        "POST",
        f"http://testserver{path}",
        data=body,
        headers={"Content-Type": signatures.ACTIVITY_JSON},
    ).prepare()
    signatures.sign(prepared, key=key, key_id=key_id, created=created)
    return {k: v for k, v in prepared.headers.items() if k.lower() != "content-length"}


def post(body: bytes, headers: dict):
    headers = dict(headers)
    content_type = headers.pop("Content-Type", signatures.ACTIVITY_JSON)
    return Client().post("/federation/inbox", data=body, content_type=content_type, headers=headers)


def test_the_server_actor_carries_its_public_key(db):
    response = Client().get("/federation/actor")
    actor = response.json()
    assert actor["type"] == "Service"
    assert actor["id"] == keys.actor_id() and uuid.UUID(actor["id"].rsplit("/", 1)[1])
    assert keys.load_public_key(actor["publicKey"]["publicKeyPem"])
    assert Client().get(actor["id"].replace("http://127.0.0.1:8000", "")).json() == actor


def test_a_signed_activity_from_an_active_peer_is_taken_once(remote):
    peer, key = remote
    body = json.dumps(activity(peer)).encode()
    response = post(body, signed(body, key, peer.key_id))
    assert response.status_code == 202, response.content
    assert len(RECEIVED) == 1 and ReceivedActivity.objects.count() == 1
    # The same activity again (a retry, freshly signed): accepted, no second effect.
    again = post(body, signed(body, key, peer.key_id))
    assert again.status_code == 202 and again.json()["outcome"] == "duplicate"
    assert len(RECEIVED) == 1 and ReceivedActivity.objects.count() == 1


def test_refusals_state_their_reasons(remote):
    peer, key = remote
    body = json.dumps(activity(peer)).encode()

    unsigned = post(body, {})
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "unsigned")

    headers = signed(body, key, peer.key_id)
    tampered = body.replace(b"hello", b"hallo")
    mismatch = post(tampered, headers)
    assert (mismatch.status_code, mismatch.json()["error"]) == (401, "digest_mismatch")

    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=305)
    stale = post(body, signed(body, key, peer.key_id, created=old))
    assert (stale.status_code, stale.json()["error"]) == (401, "stale")
    ahead = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=305)
    future = post(body, signed(body, key, peer.key_id, created=ahead))
    assert (future.status_code, future.json()["error"]) == (401, "stale")

    stranger = Ed25519PrivateKey.generate()
    unknown = post(body, signed(body, stranger, "https://other.example/k#main-key"))
    assert (unknown.status_code, unknown.json()["error"]) == (401, "unknown_key")

    forged = post(body, signed(body, stranger, peer.key_id))
    assert (forged.status_code, forged.json()["error"]) == (401, "bad_signature")
    assert RECEIVED == [] and ReceivedActivity.objects.count() == 0

    accepted = post(body, headers)
    assert accepted.status_code == 202
    replayed = post(body, headers)
    assert (replayed.status_code, replayed.json()["error"]) == (401, "replayed")
    assert len(RECEIVED) == 1


def test_a_revoked_or_unapproved_peer_gets_403(remote):
    peer, key = remote
    for status in (Peer.Status.REVOKED, Peer.Status.PENDING, Peer.Status.REQUESTED):
        Peer.objects.filter(pk=peer.pk).update(status=status)
        body = json.dumps(activity(peer)).encode()
        response = post(body, signed(body, key, peer.key_id))
        assert (response.status_code, response.json()["error"]) == (403, "link_not_active")
    assert RECEIVED == []


def test_bad_activities_are_refused_and_leave_nothing(remote):
    peer, key = remote
    cases = [
        (b"not json", 400, "not_json"),
        (
            json.dumps({**activity(peer), "id": "https://elsewhere.example/a/1"}).encode(),
            400,
            "foreign_id",
        ),
        (json.dumps({**activity(peer), "type": "Dance"}).encode(), 422, "not_understood"),
        (json.dumps(activity(peer, refuse=True)).encode(), 422, "refused"),
    ]
    for body, status, code in cases:
        response = post(body, signed(body, key, peer.key_id))
        assert (response.status_code, response.json()["error"]) == (status, code), body
    assert RECEIVED == [] and ReceivedActivity.objects.count() == 0


class _Fetched:
    def __init__(self, status: int, data):
        self.status_code, self._data = status, data

    def json(self):
        return self._data


def test_a_relayed_object_is_fetched_again_from_its_origin(remote, monkeypatch):
    peer, key = remote
    origin_id = f"https://third.example/federation/objects/{uuid.uuid4()}"
    relayed = activity(peer)
    relayed["object"] = {"id": origin_id, "type": "test:Note", "content": "altered on the way"}
    asked = []

    def fetch(url):
        asked.append(url)
        return _Fetched(200, {"id": origin_id, "type": "test:Note", "content": "as written"})

    monkeypatch.setattr(signatures, "get", fetch)
    body = json.dumps(relayed).encode()
    # The origin is no server linked here: nothing is fetched (a peer cannot make this
    # server knock on an address it names), the activity is refused.
    response = post(body, signed(body, key, peer.key_id))
    assert (response.status_code, response.json()["error"]) == (422, "origin_not_linked")
    assert asked == [] and RECEIVED == []
    third = Ed25519PrivateKey.generate()
    Peer.objects.create(
        actor_id=f"https://third.example/federation/actors/{uuid.uuid4()}",
        key_id="https://third.example/key#main-key",
        public_key_pem=_pem(third),
        inbox="https://third.example/federation/inbox",
        status=Peer.Status.ACTIVE,
        approved_here=True,
        approved_there=True,
    )
    assert post(body, signed(body, key, peer.key_id)).status_code == 202
    assert asked == [origin_id]
    assert RECEIVED[0]["object"]["content"] == "as written"
    # The origin cannot be reached: refused for now (the sender retries), nothing taken.
    monkeypatch.setattr(signatures, "get", lambda url: _Fetched(503, {}))
    second = activity(peer)
    second["object"] = {"id": origin_id, "type": "test:Note"}
    body = json.dumps(second).encode()
    response = post(body, signed(body, key, peer.key_id))
    assert (response.status_code, response.json()["error"]) == (502, "origin_refused")
    assert len(RECEIVED) == 1


def test_an_organisation_is_an_actor_at_its_uri(world):
    path = world.org.uri.split("://", 1)[1].split("/", 1)[1]
    document = Client().get(f"/{path}").json()
    assert (document["type"], document["id"], document["name"]) == (
        "Organization",
        world.org.uri,
        world.org.name,
    )
    missing = Client().get(f"/id/organisation/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_a_link_request_naming_a_private_address_is_not_fetched(db, settings, monkeypatch):
    """An outsider's link request must not make this server knock on its own network."""
    from tribune.federation import links
    from tribune.lib.errors import RuleViolation

    fetched = []

    def get(url, **kw):
        fetched.append(url)
        return _Fetched(404, {})

    monkeypatch.setattr(requests, "get", get)
    settings.TRIBUNE_FEDERATION_PRIVATE_ADDRESSES = False
    for key_id in (
        "http://127.0.0.1:6379/federation/actor#key",
        "http://10.0.0.5/federation/actor#key",
        "http://[::1]:8000/federation/actor#key",
    ):
        assert links.fetch_requester(key_id) is None
    with pytest.raises(RuleViolation) as refused:
        links.request_link("http://192.168.1.20")
    assert refused.value.field == "url"
    assert fetched == []
    settings.TRIBUNE_FEDERATION_PRIVATE_ADDRESSES = True  # servers linked on a private network
    with pytest.raises(RuleViolation, match="404"):
        links.fetch_actor("http://127.0.0.1:1/federation/actor")
    assert fetched == ["http://127.0.0.1:1/federation/actor"]


def test_the_address_checked_is_the_address_fetched(db, settings, monkeypatch):
    """DNS rebinding: a name answering a public address to the check and a private one to
    the fetch. The fetch connects to the address resolved for the check (resolved once),
    with the host's name in the Host header (and for TLS: SNI and the certificate)."""
    import http.server
    import socket
    import threading

    from tribune.federation import links

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers["Host"])
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    real = socket.getaddrinfo
    answers = []

    def rebinding(host, *args, **kwargs):
        if host == "rebind.example":
            # First the "public" address (this test's server), then a private one.
            address = "127.0.0.1" if not answers else "10.1.2.3"
            answers.append(address)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(links, "_public", lambda address: address == "127.0.0.1")
    settings.TRIBUNE_FEDERATION_PRIVATE_ADDRESSES = False
    try:
        with pytest.raises(RuleViolation, match="404"):
            links.fetch_actor(f"http://rebind.example:{port}/federation/actor")
    finally:
        server.shutdown()
    assert answers == ["127.0.0.1"]  # resolved once: the fetch did not ask again
    assert seen == [f"rebind.example:{port}"]
    # Over TLS the pinned connection still presents and checks the host's name.
    adapter = links._Pinned("tribune.example")
    request = requests.Request("GET", "https://93.184.216.34/federation/actor").prepare()
    _host, pool = adapter.build_connection_pool_key_attributes(request, True)
    assert pool["server_hostname"] == pool["assert_hostname"] == "tribune.example"
