"""Federation routes: actors, inbox, link requests, objects, witnessing; the operator's page.

Thin: each view checks the signature (tribune/federation/signatures.py) and
calls the service; refusals are JSON ``{"error", "reason"}`` with their status.
"""

import uuid

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribune.federation import actors, acts, delivery, inbox, links, signatures, witness
from tribune.federation.models import Peer, PublishedObject, ServerAct, WitnessAlarm
from tribune.federation.signatures import Refusal
from tribune.lib.errors import RuleViolation

ACTIVITY_JSON = "application/activity+json"


def _json(data, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False)
    response["Content-Type"] = ACTIVITY_JSON
    return response


def _refused(refusal: Refusal) -> JsonResponse:
    return JsonResponse(refusal.as_json(), status=refusal.status)


def _active_peer(request: HttpRequest) -> Peer:
    """The active peer that signed this GET; ``Refusal`` otherwise."""
    verified = signatures.verify(request, None)
    if verified.peer.status != Peer.Status.ACTIVE:
        raise Refusal(403, "link_not_active", "This server has no active link with yours.")
    return verified.peer


@require_GET
def server_actor(request: HttpRequest) -> JsonResponse:
    return _json(links.actor_document())


@require_GET
def actor(request: HttpRequest, actor_uuid: uuid.UUID) -> JsonResponse:
    document = actors.document(actor_uuid)
    if document is None:
        return JsonResponse({"error": "not_found", "reason": "No such actor."}, status=404)
    return _json(document)


@require_GET
def identity(request: HttpRequest, kind: str, uid: uuid.UUID) -> JsonResponse:
    """What an organisation's, network's, coalition's or concert pledge's URI names (public)."""
    document = actors.by_identity(kind, uid)
    if document is None:
        return JsonResponse(
            {"error": "not_found", "reason": "Nothing here has this address."}, status=404
        )
    return _json(document)


@csrf_exempt
@require_POST
def inbox_view(request: HttpRequest) -> JsonResponse:
    body = request.body
    try:
        verified = signatures.verify(request, body)
        inbox.check_nonce(verified.nonce)
        outcome = inbox.receive(verified.peer, verified.nonce, body)
    except Refusal as refusal:
        return _refused(refusal)
    return JsonResponse({"outcome": outcome}, status=202)


@csrf_exempt
@require_POST
def link_requests(request: HttpRequest) -> JsonResponse:
    body = request.body
    try:
        verified = signatures.verify(request, body, fetch_unknown=links.fetch_requester)
        inbox.check_nonce(verified.nonce)
        activity = inbox.parse(body, verified.peer)
        if activity["type"] != "Offer" or inbox._object_type(activity) != links.LINK:
            raise Refusal(400, "not_link_request", "This address takes link requests only.")
        peer = links.receive_request(verified.peer)
    except Refusal as refusal:
        return _refused(refusal)
    return JsonResponse({"outcome": peer.status}, status=202)


@require_GET
def published_object(request: HttpRequest, object_uuid: uuid.UUID) -> JsonResponse:
    try:
        _active_peer(request)
    except Refusal as refusal:
        return _refused(refusal)
    published = PublishedObject.objects.filter(uuid=object_uuid).first()
    if published is None:
        return JsonResponse({"error": "not_found", "reason": "No such object."}, status=404)
    return _json(published.data)


@require_GET
def audit_entry(request: HttpRequest, slug: str, seq: int) -> JsonResponse:
    from tribune.organisations.models import Organisation

    try:
        _active_peer(request)
    except Refusal as refusal:
        return _refused(refusal)
    organisation = Organisation.objects.filter(slug=slug).first()
    found = witness.entry_hash(organisation, seq) if organisation else None
    if found is None:
        return JsonResponse({"error": "not_found", "reason": "No such entry."}, status=404)
    return _json({"organisation": slug, "seq": seq, "hash": found})


@require_GET
def witnessed(request: HttpRequest, slug: str) -> JsonResponse:
    try:
        peer = _active_peer(request)
    except Refusal as refusal:
        return _refused(refusal)
    return _json(witness.witnessed_for(peer, slug))


def _number(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else 0


def _operator(request: HttpRequest) -> None:
    """The server's operator: a staff account (the same that may use /server-admin/)."""
    if not (request.user.is_authenticated and request.user.is_staff and request.user.is_active):
        raise Http404


@require_http_methods(["GET", "POST"])
def peers_page(request: HttpRequest) -> HttpResponse:
    _operator(request)
    error, findings = "", None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "request":
                links.request_link(request.POST.get("url", "").strip(), operator=request.user)
            elif action == "witness":
                witness.offer_checkpoints()
            elif action == "check":
                findings = witness.check()
            elif action in ("approve", "revoke", "retry", "ping"):
                peer = get_object_or_404(Peer, pk=_number(request.POST.get("peer")))
                if action == "approve":
                    links.approve(peer, operator=request.user)
                elif action == "revoke":
                    links.revoke(peer, operator=request.user)
                elif action == "ping":
                    links.ping(peer, max(1, min(_number(request.POST.get("count")) or 1, 100)))
                else:
                    links.retry(peer, operator=request.user)
            else:
                error = _("Choose what to do.")
        except RuleViolation as violation:
            error = violation.message
        if not error and findings is None:
            return redirect("federation:peers")
    rows = [(peer, delivery.summary(peer)) for peer in Peer.objects.all()]
    return render(
        request,
        "federation/peers.html",
        {
            "rows": rows,
            "error": error,
            "findings": findings,
            "alarms": WitnessAlarm.objects.select_related("peer").order_by("-at")[:20],
            "server_acts": ServerAct.objects.order_by("-seq")[:20],
            "server_acts_whole": acts.verify()[0],
            "actor": links.actor_document()["id"],
        },
        status=400 if error else 200,
    )
