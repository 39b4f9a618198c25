"""Peer links: asked for by one operator, approved by the other, active only then.

1. Operator A runs ``tribune peers request https://b.example``: A fetches B's
   actor document (its inbox and key), records B as ``requested`` (approved on
   A's side) and posts a signed link request to B. B fetches A's actor document
   from the request's key id, checks the signature with that key and records A
   as ``pending``.
2. Operator B approves (``tribune peers approve ID`` or the operator's page): B
   marks A ``active`` and sends an Accept, which A takes from a ``requested``
   peer (the one activity it takes before the link is active) and marks B active.
3. Either operator revokes: from then the other server's requests get 403 and
   nothing more is delivered to it.
"""

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter

from tribune.federation import acts, delivery, keys, signatures
from tribune.federation.models import Peer
from tribune.federation.registry import handles
from tribune.federation.urls_util import origin, site
from tribune.lib.errors import RuleViolation

LINK = "tribune:PeerLink"


def actor_document() -> dict:
    """This server as an ActivityStreams actor (Service) with its public key."""
    actor = keys.actor_id()
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": actor,
        "type": "Service",
        "name": f"Tribune at {origin(site()).split('://', 1)[1]}",
        "preferredUsername": "tribune",
        "inbox": f"{site()}/federation/inbox",
        "endpoints": {"linkRequests": f"{site()}/federation/link-requests"},
        "publicKey": {"id": keys.key_id(), "owner": actor, "publicKeyPem": keys.public_key_pem()},
    }


# --- fetching another server: public addresses only, the address pinned -------------------
#
# A link request from anyone makes this server fetch the key id it names; without
# this, an outsider could make it knock on services only it can reach (request
# forgery). Operators who link servers on a private network, and the test harness,
# set TRIBUNE_FEDERATION_PRIVATE_ADDRESSES=1.


class _Pinned(HTTPAdapter):
    """Connects to the address already checked, while the request still names the host:
    the Host header, TLS SNI and the certificate's check all use the host name
    (urllib3's ``server_hostname`` and ``assert_hostname``)."""

    def __init__(self, hostname: str):
        self.hostname = hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.hostname
            pool_kwargs["assert_hostname"] = self.hostname
        return host_params, pool_kwargs


def _public(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_global


def public_address(host: str) -> str:
    """``host`` resolved once; refused if any of its addresses is not public."""
    try:
        found = [info[4][0] for info in socket.getaddrinfo(host, None)]
    except (OSError, UnicodeError):
        raise RuleViolation(_("That server's name does not resolve."), "url") from None
    if not found:
        raise RuleViolation(_("That server's name does not resolve."), "url")
    for address in found:
        if not _public(address):
            raise RuleViolation(_("That address is on a private network."), "url")
    return found[0]


def fetch(url: str, *, headers: dict, timeout: float) -> requests.Response:
    """GET ``url`` from the address its name resolved to when checked (no redirect).

    Checking an address and then letting the HTTP library resolve the name again
    would let a name that answers a public address to the check and a private one
    to the fetch (DNS rebinding) through; so the resolved address is pinned: the
    connection goes to it, with the host's name in the Host header and for TLS.
    """
    if settings.TRIBUNE_FEDERATION_PRIVATE_ADDRESSES:
        return requests.get(url, headers=headers, timeout=timeout, allow_redirects=False)
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise RuleViolation(_("Give the other server's address, https://…"), "url") from None
    host = parts.hostname or ""
    address = public_address(host)
    host_header = parts.netloc.rsplit("@", 1)[-1]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{port}" if port else literal
    pinned = urlunsplit(parts._replace(netloc=netloc))
    with requests.Session() as session:
        session.trust_env = False  # no proxy: the connection goes to the address checked
        session.mount(f"{parts.scheme}://{netloc}", _Pinned(host))
        return session.get(
            pinned,
            headers={**headers, "Host": host_header},
            timeout=timeout,
            allow_redirects=False,
        )


def fetch_actor(url: str) -> dict:
    """A server's actor document, checked for what a peer record needs."""
    try:
        response = fetch(
            url, headers={"Accept": signatures.ACTIVITY_JSON}, timeout=signatures.TIMEOUT
        )
    except requests.RequestException as error:
        raise RuleViolation(
            _("That server did not answer (%(error)s).") % {"error": error}
        ) from None
    if response.status_code != 200:
        raise RuleViolation(
            _("That server answered %(status)s, not its actor document.")
            % {"status": response.status_code}
        )
    try:
        actor = response.json()
        key = actor["publicKey"]
        fields = (actor["id"], actor["inbox"], key["id"], key["publicKeyPem"])
        keys.load_public_key(key["publicKeyPem"])
    except (ValueError, KeyError, TypeError):
        raise RuleViolation(_("That address does not serve a Tribune server's actor.")) from None
    if not all(isinstance(f, str) for f in fields) or key["owner"] != actor["id"]:
        raise RuleViolation(_("That address does not serve a Tribune server's actor."))
    if origin(actor["id"]) != origin(actor["inbox"]) or origin(key["id"]) != origin(actor["id"]):
        raise RuleViolation(_("The actor's inbox and key are not on its own server."))
    return actor


def _peer_fields(actor: dict) -> dict:
    return {
        "key_id": actor["publicKey"]["id"],
        "public_key_pem": actor["publicKey"]["publicKeyPem"],
        "inbox": actor["inbox"],
        "name": str(actor.get("name", ""))[:200],
    }


def request_link(url: str, operator=None) -> Peer:
    """Operator's act: ask the server at ``url`` for a link (our side approves at once).

    ``operator``: the staff account acting (None: the command line); every operator's
    act is in the server's chain (tribune/federation/acts.py)."""
    base = url.rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise RuleViolation(_("Give the other server's address, https://…"), "url")
    actor = fetch_actor(f"{base}/federation/actor")
    if actor["id"] == keys.actor_id():
        raise RuleViolation(_("That is this server."), "url")
    peer = Peer.objects.filter(actor_id=actor["id"]).first()
    if peer is not None and peer.status == Peer.Status.ACTIVE:
        raise RuleViolation(_("This server is already linked with that one."))
    with transaction.atomic():
        if peer is None:
            peer = Peer(actor_id=actor["id"], status=Peer.Status.REQUESTED)
        for name, value in _peer_fields(actor).items():
            setattr(peer, name, value)
        peer.approved_here, peer.revoked_at = True, None
        peer.status = Peer.Status.ACTIVE if peer.approved_there else Peer.Status.REQUESTED
        peer.save()
        acts.record("peer.requested", peer, operator=operator)
    link_requests = (
        actor.get("endpoints", {}).get("linkRequests") or f"{base}/federation/link-requests"
    )
    body = delivery_body("Offer", {"type": LINK, "actor": keys.actor_id()})
    try:
        response = signatures.post(link_requests, body)
    except requests.RequestException as error:
        raise RuleViolation(
            _("That server did not answer (%(error)s).") % {"error": error}
        ) from None
    if response.status_code >= 300:
        raise RuleViolation(
            _("That server refused the request (%(status)s: %(text)s).")
            % {"status": response.status_code, "text": response.text[:200]}
        )
    return peer


def delivery_body(activity_type: str, obj: dict) -> bytes:
    import json
    import uuid

    return json.dumps(
        {
            "@context": delivery.CONTEXT,
            "id": f"{site()}/federation/activities/{uuid.uuid4()}",
            "type": activity_type,
            "actor": keys.actor_id(),
            "object": obj,
        }
    ).encode()


def fetch_requester(key_id: str) -> Peer | None:
    """The key of a server asking for a link, from its actor document (not saved yet)."""
    try:
        actor = fetch_actor(key_id.split("#", 1)[0])
    except RuleViolation:
        return None
    if actor["publicKey"]["id"] != key_id:
        return None
    return Peer(actor_id=actor["id"], status=Peer.Status.PENDING, **_peer_fields(actor))


def receive_request(peer: Peer) -> Peer:
    """A verified link request from ``peer`` (new, or known): recorded for our operator."""
    with transaction.atomic():
        known = Peer.objects.select_for_update().filter(actor_id=peer.actor_id).first()
        if known is None:
            peer.approved_there = True
            peer.save()
            acts.record("peer.asked", peer)
            return peer
        known.approved_there = True
        if known.approved_here and known.status != Peer.Status.ACTIVE:
            _activate(known)
        elif known.status == Peer.Status.REVOKED:
            known.status = Peer.Status.PENDING
        known.save()
        acts.record("peer.asked", known, data={"status": known.status})
        return known


def _activate(peer: Peer) -> None:
    peer.status, peer.approved_at, peer.revoked_at = Peer.Status.ACTIVE, timezone.now(), None


def approve(peer: Peer, operator=None) -> Peer:
    """Operator's act: approve a link another server asked for; it is active from now."""
    if peer.status == Peer.Status.ACTIVE:
        raise RuleViolation(_("This link is already active."))
    if not peer.approved_there:
        raise RuleViolation(_("That server has not asked for a link; request one instead."))
    with transaction.atomic():
        peer.approved_here = True
        _activate(peer)
        peer.save()
        delivery.publish("Accept", {"type": LINK, "actor": peer.actor_id}, to=[peer])
        acts.record("peer.approved", peer, operator=operator)
    return peer


def revoke(peer: Peer, operator=None) -> Peer:
    """Operator's act: end a link. The peer gets 403 from now; nothing more goes to it."""
    if peer.status == Peer.Status.REVOKED:
        raise RuleViolation(_("This link is already revoked."))
    with transaction.atomic():
        peer.status, peer.revoked_at = Peer.Status.REVOKED, timezone.now()
        peer.approved_here = False
        peer.save()
        stopped = delivery.stop_deliveries(peer)
        acts.record("peer.revoked", peer, operator=operator, data={"stopped": stopped})
    return peer


def retry(peer: Peer, operator=None) -> int:
    """Operator's act: send a peer's failed messages again (after a long outage)."""
    with transaction.atomic():
        count = delivery.retry_failed(peer)
        acts.record("peer.retried", peer, operator=operator, data={"messages": count})
    return count


PING = "tribune:Ping"


def ping(peer: Peer, count: int = 1) -> int:
    """Operator's check of a link end to end: ``count`` pings, each delivered and taken once."""
    if peer.status != Peer.Status.ACTIVE:
        raise RuleViolation(_("This link is not active."))
    with transaction.atomic():
        for _n in range(count):
            delivery.publish("Create", {"type": PING}, to=[peer])
    return count


@handles("Create", PING)
def pinged(peer: Peer, activity: dict) -> None:
    """Nothing to do: the activity's record in the inbox is the ping's whole effect."""


@handles("Accept", LINK, before_active=True)
def link_accepted(peer: Peer, activity: dict) -> None:
    """The other operator approved our request: the link is active on our side too."""
    if peer.status == Peer.Status.REQUESTED and peer.approved_here:
        peer.approved_there = True
        _activate(peer)
        peer.save()
        acts.record("peer.accepted", peer)
