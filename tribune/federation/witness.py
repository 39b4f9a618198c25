"""Witnessing: peers countersign each other's audit checkpoints, and catch a rewritten log.

A checkpoint (tribune/audit/checkpoints.py) is a server's signed word that an
organisation's chain had N entries with head H. Signed only by the server, it
proves nothing against that server's own operator, who holds the key and the
database. So every hour (and on ``tribune peers witness``) each server offers
its latest checkpoints to its peers; each peer:

* checks the signatures and that the checkpoint follows the last one it
  witnessed for that organisation: not fewer entries, the same head for the
  same number, and for a longer chain that the origin still serves entry N of
  the earlier checkpoint with its hash H (a signed GET) — otherwise it records
  an alarm (``WitnessAlarm``), refuses to countersign and tells the origin;
* otherwise countersigns with its server key, keeps the countersigned copy
  (which the origin cannot take back) and sends it back.

``check`` compares this server's chain with every countersigned checkpoint:
its own copies, and the copies each peer serves back (so deleting the local
copies hides nothing). An operator who truncated or rewrote a log after a
checkpoint was witnessed is caught by either side.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from tribune.audit import checkpoints
from tribune.audit.models import AuditEntry, Checkpoint
from tribune.federation import delivery, keys, signatures
from tribune.federation.models import Countersignature, Peer, WitnessAlarm, Witnessed
from tribune.federation.registry import handles
from tribune.federation.urls_util import site
from tribune.lib.errors import RuleViolation

logger = logging.getLogger(__name__)

CHECKPOINT = "tribune:AuditCheckpoint"


def offer_checkpoints() -> int:
    """Issue each organisation's checkpoint and offer it to every peer not yet countersigning it."""
    from tribune.organisations.models import Organisation

    peers = list(Peer.objects.filter(status=Peer.Status.ACTIVE))
    if not peers:
        return 0
    offered = 0
    for organisation in Organisation.objects.all():
        checkpoint = checkpoints.issue(organisation)
        signed = set(
            Countersignature.objects.filter(checkpoint=checkpoint).values_list("peer_id", flat=True)
        )
        missing = [peer for peer in peers if peer.pk not in signed]
        if missing:
            with transaction.atomic():
                delivery.publish(
                    "Offer",
                    {
                        "type": CHECKPOINT,
                        "document": checkpoint.document,
                        "entries": f"{site()}/federation/audit/{organisation.slug}/entries/",
                    },
                    to=missing,
                )
            offered += len(missing)
    return offered


def _alarm(peer: Peer, organisation: str, reason: str) -> None:
    WitnessAlarm.objects.create(peer=peer, organisation=organisation, whose="theirs", reason=reason)
    delivery.publish(
        "Reject",
        {"type": CHECKPOINT, "organisation": organisation, "reason": reason},
        to=[peer],
    )
    logger.warning("Witnessing %s of %s: %s", organisation, peer.actor_id, reason)


def _entry_hash(entries_url: str, seq: int) -> str | None:
    """The hash the origin now serves for entry ``seq`` (None: it has no such entry)."""
    response = signatures.get(f"{entries_url}{seq}")
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise signatures.Refusal(
            502, "origin_refused", f"The log's origin answered {response.status_code}."
        )
    return str(response.json().get("hash", ""))


def consistency_problem(peer: Peer, document: dict, entries_url: str) -> str | None:
    """Why ``document`` cannot follow what we witnessed of that log before (None: it can)."""
    body = document["body"]
    organisation, seq, head = body["organisation"], body["seq"], body["head"]
    prior = Witnessed.objects.filter(peer=peer, organisation=organisation).order_by("-seq").first()
    if prior is None:
        return None
    if body["server"]["public_key"] != prior.audit_key:
        return "The log is now signed with another audit key than the one witnessed before."
    if seq < prior.seq:
        return f"The log was truncated: it ends at entry #{seq}, but #{prior.seq} was witnessed."
    if seq == prior.seq:
        return None if head == prior.head else f"Entry #{seq} was rewritten after it was witnessed."
    if not entries_url.startswith(peer.origin):
        return "The log's entries are not served by its own server."
    now = _entry_hash(entries_url, prior.seq) if prior.seq else prior.head
    if now is None:
        return f"The log was truncated: entry #{prior.seq}, witnessed before, is gone."
    if now != prior.head:
        return f"Entry #{prior.seq} was rewritten after it was witnessed."
    return None


@handles("Offer", CHECKPOINT)
def checkpoint_offered(peer: Peer, activity: dict) -> None:
    """A peer's checkpoint: countersign it if its log still holds what we witnessed before."""
    obj = activity["object"]
    document = obj.get("document")
    try:
        checkpoints.check_signatures(document)
    except checkpoints.CheckpointError as error:
        raise RuleViolation(str(error)) from None
    body = document["body"]
    problem = consistency_problem(peer, document, str(obj.get("entries", "")))
    if problem:
        _alarm(peer, body["organisation"], problem)
        return
    countersigned = checkpoints.countersign(document, keys.private_key())
    try:
        with transaction.atomic():
            Witnessed.objects.create(
                peer=peer,
                organisation=body["organisation"],
                seq=body["seq"],
                head=body["head"],
                audit_key=body["server"]["public_key"],
                document=countersigned,
            )
    except IntegrityError:  # offered again: send back the same countersignature
        countersigned = Witnessed.objects.get(
            peer=peer, organisation=body["organisation"], seq=body["seq"]
        ).document
    delivery.publish("Accept", {"type": CHECKPOINT, "document": countersigned}, to=[peer])


def _peer_signed(peer: Peer, document: dict) -> bool:
    from tribune.audit import keys as audit_keys

    own = audit_keys.encode_public_key(keys.load_public_key(peer.public_key_pem))
    return any(s.get("public_key") == own for s in document.get("signatures", [])[1:])


@handles("Accept", CHECKPOINT)
def checkpoint_countersigned(peer: Peer, activity: dict) -> None:
    """A peer's countersignature of one of our checkpoints: kept beside it."""
    document = activity["object"].get("document")
    try:
        checkpoints.check_signatures(document)
    except checkpoints.CheckpointError as error:
        raise RuleViolation(str(error)) from None
    body = document["body"]
    checkpoint = Checkpoint.objects.filter(
        organisation__slug=body["organisation"], seq=body["seq"]
    ).first()
    if checkpoint is None or checkpoint.document["body"] != body:
        raise RuleViolation("This server issued no such checkpoint.")
    if not _peer_signed(peer, document):
        raise RuleViolation("The countersignature is not by the sending server's key.")
    Countersignature.objects.get_or_create(
        checkpoint=checkpoint, peer=peer, defaults={"document": document}
    )


@handles("Reject", CHECKPOINT)
def checkpoint_refused(peer: Peer, activity: dict) -> None:
    """A peer says our log no longer holds what it witnessed: the operator must know."""
    obj = activity["object"]
    WitnessAlarm.objects.create(
        peer=peer,
        organisation=str(obj.get("organisation", ""))[:100],
        whose="ours",
        reason=str(obj.get("reason", ""))[:500],
    )
    logger.error(
        "%s refuses to witness %s: %s", peer.actor_id, obj.get("organisation"), obj.get("reason")
    )


def witnessed_for(peer: Peer, organisation: str) -> list[dict]:
    """What we countersigned of ``peer``'s log (served back to it, for its own check)."""
    rows = Witnessed.objects.filter(peer=peer, organisation=organisation).order_by("seq")
    return [row.document for row in rows]


def entry_hash(organisation, seq: int) -> str | None:
    return (
        AuditEntry.objects.filter(organisation=organisation, seq=seq)
        .values_list("hash", flat=True)
        .first()
    )


@dataclass
class Finding:
    organisation: str
    peer: str
    seq: int
    ok: bool
    reason: str


def check(*, ask_peers: bool = True) -> list[Finding]:
    """Every countersigned checkpoint of ours, against our chain as it is now."""
    from tribune.organisations.models import Organisation

    findings: list[Finding] = []
    peers = list(Peer.objects.filter(status=Peer.Status.ACTIVE)) if ask_peers else []
    for organisation in Organisation.objects.all():
        documents: list[tuple[str, dict]] = [
            (c.peer.actor_id, c.document)
            for c in Countersignature.objects.filter(
                checkpoint__organisation=organisation
            ).select_related("peer")
        ]
        for peer in peers:
            try:
                response = signatures.get(f"{peer.origin}/federation/witnessed/{organisation.slug}")
                served = response.json() if response.status_code == 200 else []
            except Exception:
                served = []
            documents += [(peer.actor_id, d) for d in served if isinstance(d, dict)]
        seen = set()
        for who, document in documents:
            key = (who, document.get("body", {}).get("seq"))
            if key in seen:
                continue
            seen.add(key)
            outcome = checkpoints.verify(organisation, document, full=False)
            findings.append(
                Finding(
                    organisation.slug, who, outcome.checkpoint_seq or 0, outcome.ok, outcome.reason
                )
            )
    return findings
