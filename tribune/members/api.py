"""API: members, applications, standing, self-service and CSV import.

Contacts (email, phone, address) appear only for callers whose current
mandate grants ``view_member_contacts`` — the same rule as the web directory.
"""

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import (
    acting,
    organisation_and_member,
    require_good_standing,
    require_login,
)
from tribune.api.schemas import ReasonIn
from tribune.api.types import Count, Id, Offset, PathText
from tribune.factions.rules import public_factions_of
from tribune.lib.errors import RuleViolation
from tribune.members import importing, services
from tribune.members.models import ImportJob, Member, Standing
from tribune.offices.rules import has_power, mandate_for

router = Router(tags=["members"])


class MemberOut(Schema):
    id: int
    name: str
    branch: str
    standing: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    factions: list[str] | None = None  # public faction memberships only (member detail)


class ApplicationIn(Schema):
    name: str
    branch: str
    statement: str = ""


class ImportIn(Schema):
    csv: str
    filename: str = ""


class ImportOut(Schema):
    id: int
    status: str
    rows_to_import: int
    imported: int
    created: int
    updated: int
    unchanged: int
    rejected: list[dict]


class StandingOut(Schema):
    member_id: int
    standing: str
    at: datetime


def _member_out(member: Member, contacts: bool) -> dict:
    out = {
        "id": member.id,
        "name": member.name,
        "branch": member.home_branch.slug,
        "standing": member.standing,
    }
    if contacts:
        out.update(email=member.email, phone=member.phone, address=member.address)
    return out


def _job_out(job: ImportJob) -> dict:
    return {
        "id": job.id,
        "status": job.status,
        "rows_to_import": job.total_rows,
        "imported": job.processed_rows,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
    }


def _change_out(change) -> dict:
    return {"member_id": change.member_id, "standing": change.to_standing, "at": change.at}


@router.get("/{slug}/members", response=list[MemberOut])
def list_members(
    request,
    slug: PathText,
    branch: str | None = None,
    limit: Count = 500,
    offset: Offset = 0,
):
    organisation, viewer = organisation_and_member(request, slug)
    require_good_standing(request, viewer)
    contacts = has_power(viewer, "view_member_contacts")
    members = Member.objects.filter(
        organisation=organisation, standing=Standing.GOOD
    ).select_related("home_branch")
    if branch:
        members = members.filter(home_branch__slug=branch)
    limit = max(1, min(limit, 1000))
    return [_member_out(m, contacts) for m in members.order_by("id")[offset : offset + limit]]


@router.get("/{slug}/members/{member_id}", response=MemberOut)
def get_member(request, slug: PathText, member_id: Id):
    organisation, viewer = organisation_and_member(request, slug)
    require_good_standing(request, viewer)
    member = get_object_or_404(
        Member.objects.select_related("home_branch"), organisation=organisation, pk=member_id
    )
    if not services.visible_to(viewer, member):
        raise Http404
    out = _member_out(member, has_power(viewer, "view_member_contacts", member.home_branch))
    # Private memberships are political data: never here, whoever asks (even the member).
    out["factions"] = [f.slug for f in public_factions_of(member)]
    return out


@router.post("/{slug}/applications", response={201: MemberOut})
def apply(request, slug: PathText, payload: ApplicationIn):
    organisation, _viewer = organisation_and_member(request, slug)
    require_login(request)
    branch = organisation.branches.filter(slug=payload.branch).first()
    if branch is None:
        raise RuleViolation(_t("Unknown branch."), "branch")
    member = services.apply_for_membership(
        organisation,
        user=request.user,
        name=payload.name,
        email=request.user.email,
        branch=branch,
        statement=payload.statement,
    )
    return Status(201, _member_out(member, contacts=True))


@router.get("/{slug}/applications", response=list[MemberOut])
def list_applications(request, slug: PathText):
    organisation, viewer = organisation_and_member(request, slug)
    require_login(request)
    mandate_for(viewer, "admit_members")
    pending = Member.objects.filter(organisation=organisation, standing=Standing.APPLICANT)
    return [_member_out(m, contacts=False) for m in pending.select_related("home_branch")]


def _target(organisation, member_id: int) -> Member:
    return get_object_or_404(Member, organisation=organisation, pk=member_id)


@router.post("/{slug}/applications/{member_id}/admit", response=StandingOut)
def admit(request, slug: PathText, member_id: Id):
    organisation, viewer = organisation_and_member(request, slug)
    require_login(request)
    return _change_out(services.admit_member(viewer, _target(organisation, member_id)))


@router.post("/{slug}/applications/{member_id}/refuse", response=StandingOut)
def refuse(request, slug: PathText, member_id: Id, payload: ReasonIn):
    organisation, viewer = organisation_and_member(request, slug)
    require_login(request)
    target = _target(organisation, member_id)
    return _change_out(services.refuse_application(viewer, target, payload.reason))


@router.post("/{slug}/members/{member_id}/suspend", response=StandingOut)
def suspend(request, slug: PathText, member_id: Id, payload: ReasonIn):
    organisation, viewer = organisation_and_member(request, slug)
    require_good_standing(request, viewer)
    target = _target(organisation, member_id)
    return _change_out(services.suspend_member(viewer, target, payload.reason))


@router.post("/{slug}/members/{member_id}/reinstate", response=StandingOut)
def reinstate(request, slug: PathText, member_id: Id, payload: ReasonIn):
    organisation, viewer = organisation_and_member(request, slug)
    require_good_standing(request, viewer)
    target = _target(organisation, member_id)
    return _change_out(services.reinstate_member(viewer, target, payload.reason))


def _me(request, slug: str) -> Member:
    return acting(request, slug)[1]


@router.get("/{slug}/me", response=MemberOut)
def me(request, slug: PathText):
    return _member_out(_me(request, slug), contacts=True)


@router.get("/{slug}/me/export")
def export(request, slug: PathText):
    return services.export_data(_me(request, slug))


@router.post("/{slug}/me/resign", response=StandingOut)
def resign(request, slug: PathText):
    return _change_out(services.resign(_me(request, slug)))


@router.post("/{slug}/me/erase", response={204: None})
def erase(request, slug: PathText):
    services.erase(_me(request, slug))
    return Status(204, None)


@router.post("/{slug}/imports", response={201: ImportOut})
def check_import(request, slug: PathText, payload: ImportIn):
    """Dry run: reports every row that would be rejected and why; imports nothing."""
    organisation, viewer = organisation_and_member(request, slug)
    require_login(request)
    job = importing.check_import(viewer, organisation, payload.csv, payload.filename)
    return Status(201, _job_out(job))


@router.post("/{slug}/imports/{job_id}/confirm", response=ImportOut)
def confirm_import(request, slug: PathText, job_id: Id):
    organisation, viewer = organisation_and_member(request, slug)
    require_login(request)
    job = get_object_or_404(ImportJob, organisation=organisation, pk=job_id)
    return _job_out(importing.run_all(importing.confirm_import(viewer, job)))
