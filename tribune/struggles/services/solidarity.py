"""Solidarity requests between struggles, and the responses that commit help.

Built to cross organisations and servers later (the network issue): a request
and each response have a UUID from birth and a URI made of it
(``common.uri``); who is asked and who responded are stored as URI and name,
not as rows of this database, so a response arriving from another server needs
nothing here but its text. Branches asked on this server are also linked, so
their officers find what is asked of them.

Status: open → met (the responses add up to the quantity) → closed (by the
struggle's organisers, or by the deadline, read lazily with no worker).
"""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.struggles import rules
from tribune.struggles.models import (
    SolidarityKind,
    SolidarityRequest,
    SolidarityResponse,
    SolidarityStatus,
    Struggle,
)
from tribune.struggles.services.common import moment, text, uri, whole

MAX_QUANTITY = 10**9


def branch_uri(branch) -> str:
    return uri("branch", f"{branch.organisation.slug}/{branch.slug}")


def organisation_uri(organisation) -> str:
    return uri("organisation", organisation.slug)


@transaction.atomic
def ask(
    member,
    struggle: Struggle,
    *,
    kind: str,
    title: str,
    quantity: int,
    deadline,
    details: str = "",
    on_date=None,
    branches: list[str] | None = None,
    elsewhere: list[dict] | None = None,
) -> SolidarityRequest:
    term = rules.mandate(member, struggle, struggle.organisation)
    if kind not in SolidarityKind.values:
        raise RuleViolation(_t("Choose one of the listed options."), "kind")
    deadline = moment(deadline, field="deadline")
    if deadline <= timezone.now():
        raise RuleViolation(_t("The deadline must be in the future."), "deadline")
    if kind == SolidarityKind.PEOPLE and on_date is None:
        raise RuleViolation(_t("Say on which date people are needed."), "on_date")
    organisation = struggle.organisation
    asked_branches = []
    for slug in dict.fromkeys(branches or []):
        branch = organisation.branches.filter(slug=slug).first() if isinstance(slug, str) else None
        if branch is None:
            raise RuleViolation(_t("No branch has this short name here."), "branches")
        asked_branches.append(branch)
    asked = [{"uri": branch_uri(b), "name": b.name} for b in asked_branches]
    for other in elsewhere or []:
        if not isinstance(other, dict):
            raise RuleViolation(_t("Name each organisation asked with its address."), "elsewhere")
        address = text(other.get("uri"), field="elsewhere", max_length=500)
        if not address.startswith(("https://", "http://")):
            raise RuleViolation(_t("Give a web address starting with https://."), "elsewhere")
        asked.append(
            {"uri": address, "name": text(other.get("name"), field="elsewhere", max_length=200)}
        )
    if not asked:
        raise RuleViolation(_t("Ask at least one branch or organisation."), "branches")
    request = SolidarityRequest.objects.create(
        organisation=organisation,
        branch=struggle.branch,
        struggle=struggle,
        kind=kind,
        title=text(title, field="title", max_length=200),
        details=text(details, field="details", max_length=20000, required=False, one_line=False),
        quantity=whole(quantity, field="quantity", low=1, high=MAX_QUANTITY),
        on_date=on_date,
        deadline=deadline,
        asked=asked,
    )
    request.asked_branches.set(asked_branches)
    record(
        organisation,
        "solidarity.asked",
        actor=member,
        term=term,
        target=request,
        data={
            "title": request.title,
            "kind": kind,
            "quantity": request.quantity,
            "asked": [a["uri"] for a in asked],
        },
    )
    return request


def pledged(request: SolidarityRequest) -> int:
    return request.responses.aggregate(total=Sum("amount"))["total"] or 0


@transaction.atomic
def respond(
    member, request: SolidarityRequest, *, branch: str, amount: int, note: str = ""
) -> SolidarityResponse:
    """A branch asked commits help, answered by an officer whose mandate reaches that branch."""
    request = SolidarityRequest.objects.select_for_update().get(pk=request.pk)
    if request.current_status() == SolidarityStatus.CLOSED:
        raise RuleViolation(_t("This request is closed."))
    responder = request.organisation.branches.filter(slug=branch).first() if branch else None
    if responder is None or not request.asked_branches.filter(pk=responder.pk).exists():
        raise RuleViolation(_t("Answer for one of the branches asked."), "branch")
    if member is None or member.organisation_id != request.organisation_id:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    term = rules.mandate(member, responder)
    response = SolidarityResponse.objects.create(
        request=request,
        responder_uri=branch_uri(responder),
        responder_name=responder.name,
        responder_branch=responder,
        amount=whole(amount, field="amount", low=1, high=MAX_QUANTITY),
        note=text(note, field="note", max_length=5000, required=False, one_line=False),
    )
    if request.status == SolidarityStatus.OPEN and pledged(request) >= request.quantity:
        request.status = SolidarityStatus.MET
        request.save(update_fields=["status"])
    record(
        request.organisation,
        "solidarity.answered",
        actor=member,
        term=term,
        target=request,
        data={
            "responder": response.responder_uri,
            "amount": response.amount,
            "response": str(response.uid),
        },
    )
    return response


@transaction.atomic
def close(member, request: SolidarityRequest) -> SolidarityRequest:
    request = SolidarityRequest.objects.select_for_update().get(pk=request.pk)
    term = rules.mandate(member, request, request.organisation)
    if request.status == SolidarityStatus.CLOSED:
        return request
    request.status, request.closed_at = SolidarityStatus.CLOSED, timezone.now()
    request.save(update_fields=["status", "closed_at"])
    record(
        request.organisation,
        "solidarity.closed",
        actor=member,
        term=term,
        target=request,
        data={"pledged": pledged(request)},
    )
    return request


def as_activity(request: SolidarityRequest) -> dict:
    """The request as a self-contained document (what a peer server would be sent)."""
    return {
        "id": uri("solidarity", request.uid),
        "struggle": uri("struggle", request.struggle.uid),
        "from": {"uri": organisation_uri(request.organisation), "name": request.organisation.name},
        "kind": request.kind,
        "title": request.title,
        "details": request.details,
        "quantity": request.quantity,
        "on_date": request.on_date.isoformat() if request.on_date else None,
        "deadline": request.deadline.isoformat(),
        "asked": request.asked,
        "status": request.current_status(),
        "responses": [
            {
                "id": uri("solidarity-response", r.uid),
                "responder": {"uri": r.responder_uri, "name": r.responder_name},
                "amount": r.amount,
                "note": r.note,
                "at": r.created_at.isoformat(),
            }
            for r in request.responses.all()
        ],
    }
