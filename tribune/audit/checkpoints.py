"""Signed checkpoints: the audit chain anchored outside the database.

The hash chain proves that no entry was changed *in place*, but whoever can
write the database can also cut its tail off, or rewrite an entry and
recompute every hash after it, and the chain still verifies. A checkpoint is
the server's signed statement "organisation S's chain had N entries and its
head was H at time T"; anyone who keeps one can later show that the chain was
truncated (it has fewer than N entries) or rewritten (entry N's hash is not H).

A checkpoint document::

    {
      "body": {
        "format": "tribune-audit-checkpoint/1",
        "organisation": "<slug>",
        "seq": <int>,                 # number of the head entry (0: empty chain)
        "head": "<64 hex>",           # its hash (the genesis hash for seq 0)
        "at": "<ISO 8601, UTC>",
        "server": {"key_id": "<16 hex>", "public_key": "<base64 Ed25519>"}
      },
      "signatures": [
        {"key_id": "...", "public_key": "...", "signature": "<base64 Ed25519>"}
      ]
    }

Every signature is over the same bytes: the body as canonical JSON (keys
sorted, no spaces, as the chain's own hashes are computed). The first is the
server's; anyone else (an auditor, a witnessing server of a network) may
append their own with ``countersign`` without changing what was signed. A
``key_id`` is the first 16 hex digits of the SHA-256 of the raw public key.
"""

import json
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from tribune.audit import keys
from tribune.audit.log import GENESIS, _digest, verify_chain
from tribune.audit.models import AuditEntry, Checkpoint

FORMAT = "tribune-audit-checkpoint/1"
BODY_KEYS = {"format", "organisation", "seq", "head", "at", "server"}
HEX64 = re.compile(r"[0-9a-f]{64}")


class CheckpointError(ValueError):
    """The document is not a checkpoint this server can accept (with the reason why)."""


def canonical(body: dict) -> bytes:
    """The signed bytes: the same canonical JSON the chain's hashes are computed over."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder).encode()


def _head(organisation) -> tuple[int, str]:
    last = (
        AuditEntry.objects.filter(organisation=organisation)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return last or (0, GENESIS)


def issue(organisation) -> Checkpoint:
    """The server's signed checkpoint of the chain's current head (reused if already issued)."""
    seq, head = _head(organisation)
    existing = Checkpoint.objects.filter(organisation=organisation, seq=seq).first()
    if existing is not None:
        return existing
    public_key = keys.public_key()
    at = timezone.now().replace(microsecond=0)
    body = {
        "format": FORMAT,
        "organisation": organisation.slug,
        "seq": seq,
        "head": head,
        "at": at.isoformat(),
        "server": {"key_id": keys.key_id(public_key), "public_key": public_key},
    }
    document = {"body": body, "signatures": [keys.sign(canonical(body))]}
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                organisation=organisation,
                seq=seq,
                head=head,
                at=at,
                key_id=body["server"]["key_id"],
                document=document,
            )
    except IntegrityError:  # issued at the same moment by another process
        return Checkpoint.objects.get(organisation=organisation, seq=seq)


def issue_all() -> int:
    """Issue a checkpoint for every organisation whose chain moved since its last one."""
    from tribune.organisations.models import Organisation

    issued = 0
    for organisation in Organisation.objects.all():
        last = Checkpoint.objects.filter(organisation=organisation).order_by("-seq").first()
        if last is None or last.seq != _head(organisation)[0]:
            issue(organisation)
            issued += 1
    return issued


def countersign(document: dict, key: Ed25519PrivateKey) -> dict:
    """``document`` with one more signature over the same body (for witnesses)."""
    check_signatures(document)
    return {
        "body": document["body"],
        "signatures": [*document["signatures"], keys.sign(canonical(document["body"]), key)],
    }


def _text(value, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise CheckpointError(f"The checkpoint's {what} is missing or not text.")
    return value


def check_signatures(document) -> list[str]:
    """Check the form and every signature; return the signers' key ids, the server's first.

    Raises ``CheckpointError`` for anything malformed, a signature that does not
    verify, or a document the named server did not sign.
    """
    if not isinstance(document, dict) or set(document) != {"body", "signatures"}:
        raise CheckpointError("A checkpoint is an object with a body and its signatures.")
    body, signatures = document["body"], document["signatures"]
    if not isinstance(body, dict) or set(body) != BODY_KEYS:
        raise CheckpointError(f"A checkpoint body has exactly: {', '.join(sorted(BODY_KEYS))}.")
    if body["format"] != FORMAT:
        raise CheckpointError(f"Unknown checkpoint format (expected {FORMAT}).")
    _text(body["organisation"], "organisation")
    _text(body["at"], "time")
    seq = body["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise CheckpointError("The checkpoint's seq is not a whole number.")
    if not isinstance(body["head"], str) or not HEX64.fullmatch(body["head"]):
        raise CheckpointError("The checkpoint's head is not a SHA-256 hash.")
    server = body["server"]
    if not isinstance(server, dict) or set(server) != {"key_id", "public_key"}:
        raise CheckpointError("The checkpoint does not name its server's key.")
    server_key = _text(server["public_key"], "server key")
    if not isinstance(signatures, list) or not signatures:
        raise CheckpointError("The checkpoint is not signed.")
    message, signers = canonical(body), []
    for signature in signatures:
        if not isinstance(signature, dict) or set(signature) != {
            "key_id",
            "public_key",
            "signature",
        }:
            raise CheckpointError("A signature is {key_id, public_key, signature}.")
        try:
            public = keys.decode_public_key(_text(signature["public_key"], "public key"))
            public.verify(
                keys.decode_signature(_text(signature["signature"], "signature")), message
            )
        except (ValueError, InvalidSignature):
            raise CheckpointError(
                f"The signature by key {str(signature['key_id'])[:16]} does not verify."
            ) from None
        if signature["key_id"] != keys.key_id(signature["public_key"]):
            raise CheckpointError("A signature's key id does not match its key.")
        signers.append(signature)
    if server["key_id"] != keys.key_id(server_key):
        raise CheckpointError("The server's key id does not match its key.")
    if signers[0]["public_key"] != server_key:
        raise CheckpointError("The checkpoint is not signed by the server it names.")
    return [s["key_id"] for s in signers]


def known_server_keys() -> set[str]:
    """This server's key and every key it has signed checkpoints with (a key may be rotated)."""
    recorded = Checkpoint.objects.values_list("document__body__server__public_key", flat=True)
    return {keys.public_key(), *recorded}


@dataclass
class CheckpointVerification:
    ok: bool
    entries: int
    checkpoint_seq: int | None = None
    broken_seq: int | None = None
    reason: str = ""
    signers: list[str] = field(default_factory=list)


def verify(
    organisation, document, *, full: bool = True, trusted_keys: set[str] | None = None
) -> CheckpointVerification:
    """Does this organisation's chain still contain what ``document`` vouches for?

    Refuses a checkpoint whose signatures do not verify or whose server key is
    not this server's; then finds truncation (the chain ends before the
    checkpoint's entry) and rewriting (that entry's hash is not the head the
    checkpoint signed), and checks the chain itself (from the start with
    ``full``, otherwise only from the checkpoint on). ``trusted_keys`` replaces
    this server's keys as the ones a checkpoint must be signed by (a restore
    checks a backup against the key the operator kept, without creating one).
    """
    try:
        signers = check_signatures(document)
    except CheckpointError as error:
        return CheckpointVerification(False, 0, reason=str(error))
    body = document["body"]
    seq, head = body["seq"], body["head"]
    failed = CheckpointVerification(False, 0, seq, signers=signers)
    if body["organisation"] != organisation.slug:
        failed.reason = f"The checkpoint is for {body['organisation']}, not {organisation.slug}."
        return failed
    trusted = known_server_keys() if trusted_keys is None else trusted_keys
    if body["server"]["public_key"] not in trusted:
        failed.reason = "The checkpoint is not signed by this server's key."
        return failed
    last_seq, _ = _head(organisation)
    if last_seq < seq:
        failed.broken_seq = last_seq + 1
        failed.reason = (
            f"The chain was truncated: it ends at entry #{last_seq}, "
            f"but the checkpoint vouches for #{seq}."
        )
        return failed
    if seq:
        entry = AuditEntry.objects.filter(organisation=organisation, seq=seq).first()
        if entry is None or entry.hash != head or _digest(entry) != head:
            failed.broken_seq = seq
            failed.reason = f"The chain was rewritten: entry #{seq} is not what was checkpointed."
            return failed
    elif head != GENESIS:
        failed.reason = "An empty chain's checkpoint must carry the genesis hash."
        return failed
    chain = verify_chain(organisation) if full else verify_chain(organisation, after_seq=seq)
    if not chain.ok:
        failed.entries, failed.broken_seq = chain.entries, chain.broken_seq
        failed.reason = f"Entry #{chain.broken_seq} {chain.reason}."
        return failed
    return CheckpointVerification(True, chain.entries, seq, signers=signers)


def verify_since_last(organisation) -> CheckpointVerification:
    """Verify from the last checkpoint this server issued: only the entries since."""
    last = Checkpoint.objects.filter(organisation=organisation).order_by("-seq").first()
    if last is None:
        chain = verify_chain(organisation)
        return CheckpointVerification(chain.ok, chain.entries, None, chain.broken_seq, chain.reason)
    return verify(organisation, last.document, full=False)


def export(organisation) -> dict:
    """The whole log with a checkpoint of its last entry: one file anyone can verify."""
    checkpoint = issue(organisation)
    entries = AuditEntry.objects.filter(organisation=organisation, seq__lte=checkpoint.seq)
    return {
        "format": "tribune-audit-export/1",
        "organisation": organisation.slug,
        # The chain's hashes cover the organisation's id (see tribune.audit.log._digest).
        "organisation_id": organisation.pk,
        "entries": [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor_id": e.actor_id,
                "term_id": e.term_id,
                "action": e.action,
                "target": e.target,
                "data": e.data,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in entries.order_by("seq").iterator()
        ],
        "checkpoint": checkpoint.document,
    }
