"""API: organisations and their branches (public)."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from tribune.members.models import Standing
from tribune.organisations.models import Organisation

router = Router(tags=["organisations"])


class BranchOut(Schema):
    id: int
    slug: str
    name: str
    level: str
    parent_id: int | None
    members: int


class OrganisationOut(Schema):
    slug: str
    name: str
    description: str
    members: int


class OrganisationDetail(OrganisationOut):
    branches: list[BranchOut]


def _good(prefix: str = "members") -> Count:
    return Count(prefix, filter=Q(**{f"{prefix}__standing": Standing.GOOD}))


def _organisation_out(organisation) -> dict:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "description": organisation.description,
        "members": organisation.member_count,
    }


@router.get("/", response=list[OrganisationOut])
def list_organisations(request):
    return [_organisation_out(o) for o in Organisation.objects.annotate(member_count=_good())]


def _branches(organisation) -> list[dict]:
    return [
        {
            "id": b.id,
            "slug": b.slug,
            "name": b.name,
            "level": b.level,
            "parent_id": b.parent_id,
            "members": b.members_count,
        }
        for b in organisation.branches.annotate(members_count=_good())
    ]


@router.get("/{slug}", response=OrganisationDetail)
def get_organisation(request, slug: str):
    organisation = get_object_or_404(Organisation.objects.annotate(member_count=_good()), slug=slug)
    return {**_organisation_out(organisation), "branches": _branches(organisation)}


@router.get("/{slug}/branches", response=list[BranchOut])
def list_branches(request, slug: str):
    return _branches(get_object_or_404(Organisation, slug=slug))
