"""API: the audit log and its verification (readable by anyone)."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from tribune.api.types import Count, Offset, PathText
from tribune.audit.log import verify_chain
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


@router.get("/{slug}/audit", response=list[EntryOut])
def audit_entries(request, slug: PathText, after_seq: Offset = 0, limit: Count = 100):
    organisation = get_object_or_404(Organisation, slug=slug)
    limit = max(1, min(limit, 1000))
    return AuditEntry.objects.filter(organisation=organisation, seq__gt=after_seq).order_by("seq")[
        :limit
    ]


@router.get("/{slug}/audit/verify", response=VerificationOut)
def audit_verify(request, slug: PathText):
    return verify_chain(get_object_or_404(Organisation, slug=slug)).__dict__
