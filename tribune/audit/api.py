"""API: the audit log, its signed checkpoints and their verification (readable by anyone)."""

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from pydantic import ConfigDict, StrictInt, StrictStr

from tribune.api.types import Count, Offset, PathText
from tribune.audit import checkpoints
from tribune.audit.log import throttle_public_verify, verify_since_verified
from tribune.audit.models import AuditEntry
from tribune.organisations.models import Organisation

router = Router(tags=["audit"])


class EntryOut(Schema):
    seq: int
    at: datetime
    actor_id: int | None
    term_id: int | None
    action: str
    target: str
    data: dict
    prev_hash: str
    hash: str


class VerificationOut(Schema):
    ok: bool
    entries: int
    broken_seq: int | None
    reason: str


class _Strict(Schema):
    # A checkpoint is verified over its exact bytes: nothing coerced, nothing extra.
    model_config = ConfigDict(extra="forbid", strict=True)


class ServerKey(_Strict):
    key_id: StrictStr
    public_key: StrictStr


class CheckpointBody(_Strict):
    format: StrictStr
    organisation: StrictStr
    seq: StrictInt
    head: StrictStr
    at: StrictStr
    server: ServerKey


class CheckpointSignature(_Strict):
    key_id: StrictStr
    public_key: StrictStr
    signature: StrictStr


class CheckpointDocument(_Strict):
    """A signed checkpoint (see docs/audit.md): the server's signature first, witnesses after."""

    body: CheckpointBody
    signatures: list[CheckpointSignature]


class CheckpointVerificationOut(Schema):
    ok: bool
    entries: int
    checkpoint_seq: int | None
    broken_seq: int | None
    reason: str
    signers: list[str]


class ExportEntryOut(Schema):
    seq: int
    at: str
    actor_id: int | None
    term_id: int | None
    action: str
    target: str
    data: dict
    prev_hash: str
    hash: str


class ExportOut(Schema):
    format: str
    organisation: str
    organisation_id: int
    entries: list[ExportEntryOut]
    checkpoint: CheckpointDocument


@router.get("/{slug}/audit", response=list[EntryOut])
def audit_entries(
    request, response: HttpResponse, slug: PathText, after_seq: Offset = 0, limit: Count = 100
):
    """A page of the chain; the ``Link`` header points at the signed checkpoint to keep with it."""
    organisation = get_object_or_404(Organisation, slug=slug)
    checkpoint = reverse("api:audit_checkpoint", args=[organisation.slug])
    response.headers["Link"] = f'<{checkpoint}>; rel="checkpoint"'
    limit = max(1, min(limit, 1000))
    return AuditEntry.objects.filter(organisation=organisation, seq__gt=after_seq).order_by("seq")[
        :limit
    ]


@router.get("/{slug}/audit/verify", response=VerificationOut)
def audit_verify(request, slug: PathText):
    """Verify the chain (from the last verification that passed; anonymous callers are
    rate-limited: it reads the log)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    throttle_public_verify(request)
    return verify_since_verified(organisation).__dict__


@router.get("/{slug}/audit/checkpoint", response=CheckpointDocument)
def audit_checkpoint(request, slug: PathText):
    """The server's signed checkpoint of the chain's current head: keep it, verify later."""
    return checkpoints.issue(get_object_or_404(Organisation, slug=slug)).document


@router.post("/{slug}/audit/verify", response=CheckpointVerificationOut)
def audit_verify_checkpoint(request, slug: PathText, checkpoint: CheckpointDocument):
    """Check a kept checkpoint against the chain: detects truncation, rewriting, forgery."""
    organisation = get_object_or_404(Organisation, slug=slug)
    return checkpoints.verify(organisation, checkpoint.model_dump()).__dict__


@router.get("/{slug}/audit/export", response=ExportOut)
def audit_export(request, slug: PathText):
    """The whole chain with a signed checkpoint of its last entry."""
    return checkpoints.export(get_object_or_404(Organisation, slug=slug))
