"""API: founding an organisation, its constitution templates, co-founders' invitations.

The same ``founding`` actions as the founding pages; the operator's setting
decides whether a request founds at once, waits, or is refused.
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from tribune.api.common import require_login
from tribune.api.types import Id
from tribune.constitution.presets import PRESETS
from tribune.organisations import founding
from tribune.organisations.models import FoundingInvitation

router = Router(tags=["founding"])


class PresetOut(Schema):
    slug: str
    name: str
    summary: str
    levels: list[str]
    constitution: dict


class FoundIn(Schema):
    name: str = Field(..., max_length=200)
    slug: str = Field(..., max_length=50)
    founder_name: str = Field(..., max_length=200)
    preset: str = Field(..., max_length=50)
    description: str = Field("", max_length=5000)
    language: str = Field("", max_length=8)
    constitution: dict = Field(default_factory=dict)
    branches: list[str] = Field(default_factory=list, max_length=200)
    committee: list[str] = Field(default_factory=list, max_length=100)
    appeals: list[str] = Field(default_factory=list, max_length=100)


class FoundingRequestOut(Schema):
    id: int
    name: str
    slug: str
    status: str
    reason: str
    organisation: str | None
    created_at: datetime


class InvitationOut(Schema):
    id: int
    organisation: str
    organisation_name: str
    seat: str
    invited_by: str
    expires_at: datetime


class SeatAcceptIn(Schema):
    name: str = Field(..., max_length=200)


class SeatAcceptedOut(Schema):
    organisation: str
    member_id: int


def _request_out(request) -> dict:
    return {
        "id": request.pk,
        "name": request.name,
        "slug": request.slug,
        "status": request.status,
        "reason": request.reason,
        "organisation": request.organisation.slug if request.organisation else None,
        "created_at": request.created_at,
    }


@router.get("/templates", response=list[PresetOut])
def constitution_templates(request):
    """The constitution templates a new organisation may start from (each passes the guarantees)."""
    return [
        {
            "slug": p.slug,
            "name": str(p.name),
            "summary": str(p.summary),
            "levels": list(p.levels),
            "constitution": {
                k: str(v) if not isinstance(v, bool | int) else v for k, v in p.values.items()
            },
        }
        for p in PRESETS.values()
    ]


@router.post("/", response={201: FoundingRequestOut})
def found(request, payload: FoundIn):
    """Found an organisation (open servers), or ask the operator to (approval servers)."""
    require_login(request)
    founded = founding.request_founding(request.user, **payload.dict())
    return Status(201, _request_out(founded))


@router.get("/requests", response=list[FoundingRequestOut])
def my_requests(request):
    require_login(request)
    return [
        _request_out(r) for r in request.user.founding_requests.select_related("organisation")[:50]
    ]


@router.get("/invitations", response=list[InvitationOut])
def my_invitations(request):
    require_login(request)
    return [
        {
            "id": i.pk,
            "organisation": i.organisation.slug,
            "organisation_name": i.organisation.name,
            "seat": i.seat,
            "invited_by": i.invited_by.name,
            "expires_at": i.expires_at,
        }
        for i in founding.invitations_for(request.user)
    ]


@router.post("/invitations/{invitation_id}/accept", response={201: SeatAcceptedOut})
def accept(request, invitation_id: Id, payload: SeatAcceptIn):
    require_login(request)
    invitation = get_object_or_404(FoundingInvitation, pk=invitation_id)
    member = founding.accept_invitation(request.user, invitation, name=payload.name)
    return Status(201, {"organisation": invitation.organisation.slug, "member_id": member.pk})
