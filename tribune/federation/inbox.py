"""The inbox: a verified request from a peer, taken in once, handed to its handler.

Order of checks (each refusal states its reason, tribune/federation/signatures.py
for the first ones): signed (401), fresh (401), key known (401), signature and
body digest (401), the link active (403), the signature's nonce not seen before
(401: a replayed request), the activity well formed and its id on the sender's
server (400), a handler registered for it (422). Then, in one transaction: the
nonce and the activity id are recorded and the handler runs; a repeated id is
answered 202 with no effect. A relayed object (its id on a third server) is
fetched again from its origin first and only that copy is used.
"""

import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from tribune.federation import registry, signatures
from tribune.federation.models import Peer, ReceivedActivity, SignatureNonce
from tribune.federation.signatures import Refusal
from tribune.federation.urls_util import origin
from tribune.lib.errors import RuleViolation

ACCEPTED, DUPLICATE = "accepted", "duplicate"


def _object_type(activity: dict) -> str:
    obj = activity.get("object")
    if isinstance(obj, dict):
        kind = obj.get("type", "")
        return kind if isinstance(kind, str) else ""
    return ""


def parse(body: bytes, peer: Peer) -> dict:
    """The activity in ``body``, checked for form; ``Refusal`` (400) otherwise."""
    try:
        activity = json.loads(body)
    except ValueError:
        raise Refusal(400, "not_json", "The body is not JSON.") from None
    if not isinstance(activity, dict):
        raise Refusal(400, "not_activity", "An activity is a JSON object.")
    for name in ("id", "type", "actor"):
        if not isinstance(activity.get(name), str) or not activity[name]:
            raise Refusal(400, "not_activity", f"The activity has no {name}.")
    if not activity["id"].startswith(("https://", "http://")) or len(activity["id"]) > 500:
        raise Refusal(400, "bad_id", "An activity's id is an HTTPS URI.")
    if origin(activity["id"]) != peer.origin or origin(activity["actor"]) != peer.origin:
        raise Refusal(
            400, "foreign_id", "The activity's id and actor must be on the sending server."
        )
    if "object" not in activity:
        raise Refusal(400, "not_activity", "The activity has no object.")
    return activity


def refetch_relayed(activity: dict, peer: Peer) -> dict:
    """An object whose id is on another server than the sender's, fetched from its origin."""
    obj = activity.get("object")
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        return activity
    if origin(obj["id"]) == peer.origin:
        return activity
    if not Peer.objects.filter(
        status=Peer.Status.ACTIVE, actor_id__startswith=origin(obj["id"]) + "/"
    ).exists():
        # Fetched only from a server we are linked with: a peer cannot make this server
        # knock on any address it names.
        raise Refusal(
            422, "origin_not_linked", "The relayed object's origin is not a server linked here."
        )
    try:
        response = signatures.get(obj["id"])
    except Exception as error:
        raise Refusal(
            502, "origin_unreachable", f"The relayed object's origin did not answer ({error})."
        ) from None
    if response.status_code != 200:
        raise Refusal(
            502, "origin_refused", f"The relayed object's origin answered {response.status_code}."
        )
    try:
        fetched = response.json()
    except ValueError:
        raise Refusal(502, "origin_refused", "The relayed object's origin sent no JSON.") from None
    if not isinstance(fetched, dict) or fetched.get("id") != obj["id"]:
        raise Refusal(422, "relayed_mismatch", "The origin's object is not the one relayed.")
    return {**activity, "object": fetched}


def receive(peer: Peer, nonce: str, body: bytes) -> str:
    """Take one verified activity in: ``ACCEPTED`` or ``DUPLICATE``; ``Refusal`` otherwise."""
    activity = parse(body, peer)
    kind, object_type = activity["type"], _object_type(activity)
    if peer.status != Peer.Status.ACTIVE and not (
        peer.status == Peer.Status.REQUESTED and registry.allowed_before_active(kind, object_type)
    ):
        raise Refusal(
            403,
            "link_not_active",
            "This server has no active link with yours (revoked or not approved).",
        )
    handler = registry.handler_for(kind, object_type)
    if handler is None:
        raise Refusal(422, "not_understood", f"This server does not take {kind} {object_type}.")
    if ReceivedActivity.objects.filter(activity_id=activity["id"]).exists():
        _note_nonce(nonce)
        return DUPLICATE
    activity = refetch_relayed(activity, peer)
    try:
        with transaction.atomic():
            SignatureNonce.objects.create(nonce=nonce)
            ReceivedActivity.objects.create(
                activity_id=activity["id"], peer=peer, type=kind[:40], object_type=object_type[:80]
            )
            handler(peer, activity)
    except IntegrityError:
        if ReceivedActivity.objects.filter(activity_id=activity["id"]).exists():
            return DUPLICATE  # taken in at the same moment by another request
        raise Refusal(
            401, "replayed", "This signature was already used (a replayed request)."
        ) from None
    except RuleViolation as error:
        raise Refusal(422, "refused", error.message) from None
    return ACCEPTED


def check_nonce(nonce: str) -> None:
    if SignatureNonce.objects.filter(nonce=nonce).exists():
        raise Refusal(401, "replayed", "This signature was already used (a replayed request).")


def _note_nonce(nonce: str) -> None:
    try:
        with transaction.atomic():
            SignatureNonce.objects.create(nonce=nonce)
    except IntegrityError:
        pass


def purge_nonces() -> int:
    """Nonces older than twice the allowed skew: their signatures are stale anyway."""
    cutoff = timezone.now() - timedelta(seconds=2 * signatures.MAX_SKEW)
    deleted, _ = SignatureNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
