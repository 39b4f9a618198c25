"""API: organisations and their branches (public)."""

from datetime import datetime

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import organisation_and_member, require_login
from tribune.api.types import PathText
from tribune.lib.errors import RuleViolation
from tribune.members.models import Standing
from tribune.organisations.models import Organisation
from tribune.organisations.services import create_branch

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
def get_organisation(request, slug: PathText):
    organisation = get_object_or_404(Organisation.objects.annotate(member_count=_good()), slug=slug)
    return {**_organisation_out(organisation), "branches": _branches(organisation)}


class BranchIn(Schema):
    parent: str
    name: str
    level: str
    slug: str = ""


@router.post("/{slug}/branches", response={201: BranchOut})
def add_branch(request, slug: PathText, payload: BranchIn):
    organisation, member = organisation_and_member(request, slug)
    require_login(request)
    parent = organisation.branches.filter(slug=payload.parent).first()
    if parent is None:
        raise RuleViolation(_t("Unknown branch."), "parent")
    branch = create_branch(
        member, parent, name=payload.name, level=payload.level, slug=payload.slug
    )
    return Status(
        201,
        {
            "id": branch.id,
            "slug": branch.slug,
            "name": branch.name,
            "level": branch.level,
            "parent_id": branch.parent_id,
            "members": 0,
        },
    )


@router.get("/{slug}/branches", response=list[BranchOut])
def list_branches(request, slug: PathText):
    return _branches(get_object_or_404(Organisation, slug=slug))


class TransitionOfficeOut(Schema):
    office_id: int
    title: str
    body: str
    seats: int
    elected: int
    state: str
    election_id: int | None


class TransitionOut(Schema):
    provisional_until: datetime | None
    seats: int
    elected: int
    offices: list[TransitionOfficeOut]


@router.get("/{slug}/transition", response=TransitionOut)
def provisional_transition(request, slug: PathText):
    """How far the organisation has gone from its provisional committee to elected offices."""
    from tribune.elections.transition import transition

    state = transition(get_object_or_404(Organisation, slug=slug))
    return {
        "provisional_until": state.provisional_until,
        "seats": state.seats,
        "elected": state.elected,
        "offices": [
            {
                "office_id": s.office.pk,
                "title": s.office.title,
                "body": s.office.body.name,
                "seats": s.seats,
                "elected": s.elected,
                "state": s.state,
                "election_id": s.election.pk if s.election else None,
            }
            for s in state.steps
        ],
    }
