"""API: networks, coalitions and their pledges (the same service functions as the pages).

Reading is public: a network's charter, members, delegates, coalitions, shared
documents and its pledges' counts per organisation. No answer names a
pledger: an organisation's count is all that leaves it. Acting is always as an
organisation (``/organisations/{slug}/…``), by an officer whose mandate grants
``represent_in_networks`` (pledge chapters and sharing: ``run_struggles``), and
binding acts cite a decision of that organisation (``decision_kind``:
referendum, motion or mandate; ``decision_ref``: the referendum's or motion's number).
"""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import acting
from tribune.api.types import Id, PathText
from tribune.lib.errors import RuleViolation
from tribune.networks import coalitions, concert, networks, sharing
from tribune.networks.models import Coalition, ConcertPledge, Network

router = Router(tags=["networks"])
acting_router = Router(tags=["networks"])


# --- schemas ---------------------------------------------------------------------------------


class DecisionOut(Schema):
    kind: str
    uri: str
    title: str
    decided_at: str


class NetworkMemberOut(Schema):
    name: str
    uri: str
    kind: str
    state: str
    joined_at: datetime | None
    left_at: datetime | None
    decision: DecisionOut | None
    local: bool


class HolderOut(Schema):
    name: str
    until: datetime


class DelegateOfficeOut(Schema):
    office: str
    body: str
    mandate: str
    holders: list[HolderOut]


class DelegatesOut(Schema):
    organisation: str
    organisation_uri: str
    offices: list[DelegateOfficeOut]


class CountOut(Schema):
    organisation: str
    organisation_uri: str
    count: int


class ConcertOut(Schema):
    id: int
    uri: str
    action: str
    details: str
    threshold: int
    total: int
    deadline: datetime
    state: str
    triggered_at: datetime | None
    counts: list[CountOut]


class DocumentOut(Schema):
    title: str
    uri: str
    organisation: str
    kind: str = "document"  # or event, struggle, solidarity (shared on any server)


class CoalitionSummary(Schema):
    slug: str
    uri: str
    name: str
    status: str
    ends_on: date


class NetworkOut(Schema):
    slug: str
    uri: str
    name: str
    purpose: str
    decision_rule: str
    members: list[NetworkMemberOut]
    delegates: list[DelegatesOut]
    coalitions: list[CoalitionSummary]
    pledges: list[ConcertOut]
    documents: list[DocumentOut]


class NetworkSummary(Schema):
    slug: str
    uri: str
    name: str
    decision_rule: str


class DemandOut(Schema):
    key: str
    title: str
    text: str


class CoalitionMemberOut(Schema):
    organisation: str
    organisation_uri: str
    state: str
    counts: bool
    decision: DecisionOut | None
    programme_links: dict[str, list[str]]


class CoalitionOut(CoalitionSummary):
    purpose: str
    round: int
    network: str | None
    demands: list[DemandOut]
    participants: list[CoalitionMemberOut]
    pledges: list[ConcertOut]
    documents: list[DocumentOut]


class NetworkIn(Schema):
    name: str
    slug: str
    purpose: str
    decision_rule: str
    decision_kind: str
    decision_ref: int | None = None


class InviteIn(Schema):
    uri: str
    name: str = ""
    kind: str = "organisation"


class CitingIn(Schema):
    decision_kind: str
    decision_ref: int | None = None


class NetworkEndorseIn(CitingIn):
    act: str
    parent: str


class DemandIn(Schema):
    title: str
    text: str = ""


class CoalitionIn(Schema):
    name: str
    slug: str
    demands: list[DemandIn]
    ends_on: date
    purpose: str = ""
    network: str | None = None


class DecideIn(Schema):
    state: str
    decision_kind: str = ""
    decision_ref: int | None = None
    programme_links: dict[str, list[str]] = {}


class RenewIn(Schema):
    ends_on: date


class HolderIn(Schema):
    network: str | None = None
    coalition: str | None = None


class ConcertIn(HolderIn):
    action: str
    threshold: int
    deadline: datetime
    details: str = ""


class ShareIn(HolderIn):
    kind: str
    item_id: int


class ShareDocumentIn(HolderIn):
    document_id: int


class ChapterOut(Schema):
    pledge_id: int
    organisation: str


class OrganisationNetworksOut(Schema):
    networks: list[NetworkMemberOut]
    network_names: list[NetworkSummary]
    coalitions: list[dict]


# --- shaping ---------------------------------------------------------------------------------


def _member(m) -> dict:
    decision = m.leave_decision if m.state == "left" else m.join_decision
    if decision and "uri" not in decision:
        decision = None  # a network's joining: endorsed by its members, listed on its page
    return {
        "name": m.member_name,
        "uri": m.member_uri,
        "kind": m.kind,
        "state": m.state,
        "joined_at": m.joined_at,
        "left_at": m.left_at,
        "decision": decision,
        "local": m.organisation_id is not None or m.member_network_id is not None,
    }


def concert_out(p: ConcertPledge) -> dict:
    return {
        "id": p.pk,
        "uri": p.uri,
        "action": p.action,
        "details": p.details,
        "threshold": p.threshold,
        "total": p.total,
        "deadline": p.deadline,
        "state": p.state(),
        "triggered_at": p.triggered_at,
        "counts": concert.counts(p),
    }


def _documents(holder) -> list[dict]:
    return [
        {
            "title": d.title,
            "uri": d.document_uri,
            "organisation": d.organisation_name,
            "kind": d.kind,
        }
        for d in holder.documents.all()
    ]


def _coalition_summary(c: Coalition) -> dict:
    return {
        "slug": c.slug,
        "uri": c.uri,
        "name": c.name,
        "status": c.status(),
        "ends_on": c.ends_on,
    }


def network_out(n: Network) -> dict:
    return {
        "slug": n.slug,
        "uri": n.uri,
        "name": n.name,
        "purpose": n.purpose,
        "decision_rule": n.decision_rule,
        "members": [_member(m) for m in n.memberships.all()],
        "delegates": [
            {
                "organisation": row["membership"].member_name,
                "organisation_uri": row["membership"].member_uri,
                "offices": row["offices"],
            }
            for row in networks.delegates(n)
        ],
        "coalitions": [_coalition_summary(c) for c in n.coalitions.all()],
        "pledges": [concert_out(p) for p in n.pledges.all()],
        "documents": _documents(n),
    }


def coalition_out(c: Coalition) -> dict:
    return {
        **_coalition_summary(c),
        "purpose": c.purpose,
        "round": c.round,
        "network": c.network.slug if c.network_id else None,
        "demands": [{"key": d.key, "title": d.title, "text": d.text} for d in c.demands.all()],
        "participants": [
            {
                "organisation": p.organisation_name,
                "organisation_uri": p.organisation_uri,
                "state": p.state,
                "counts": p.state == "ratified" and p.round == c.round,
                "decision": p.decision,
                "programme_links": p.programme_links,
            }
            for p in c.participations.all()
        ],
        "pledges": [concert_out(p) for p in c.pledges.all()],
        "documents": _documents(c),
    }


def _network(slug: str) -> Network:
    return get_object_or_404(Network, slug=slug)


def _coalition(slug: str) -> Coalition:
    return get_object_or_404(Coalition, slug=slug)


def _holder(data: dict):
    network, coalition = data.pop("network", None), data.pop("coalition", None)
    if bool(network) == bool(coalition):
        raise RuleViolation(_t("Name either a network or a coalition."), "coalition")
    if network:
        found = Network.objects.filter(slug=network).first()
        field = "network"
    else:
        found = Coalition.objects.filter(slug=coalition).first()
        field = "coalition"
    if found is None:
        raise RuleViolation(_t("Nothing known here has this short name."), field)
    return found


# --- reading (public) --------------------------------------------------------------------------


@router.get("/networks", response=list[NetworkSummary])
def list_networks(request):
    return list(Network.objects.values("slug", "uri", "name", "decision_rule"))


@router.get("/networks/{network}", response=NetworkOut)
def get_network(request, network: PathText):
    """The charter, members (with the decision each cited), delegates, coalitions, pledges."""
    return network_out(_network(network))


@router.get("/coalitions", response=list[CoalitionSummary])
def list_coalitions(request):
    return [_coalition_summary(c) for c in Coalition.objects.all()]


@router.get("/coalitions/{coalition}", response=CoalitionOut)
def get_coalition(request, coalition: PathText):
    """Demands, each invited organisation's state and cited decision, pledges' counts."""
    return coalition_out(_coalition(coalition))


# --- acting as an organisation -----------------------------------------------------------------


@acting_router.get("/{slug}/networks", response=OrganisationNetworksOut)
def organisation_networks(request, slug: PathText):
    """The networks the organisation is in, and which of its demands it pursues where."""
    from tribune.organisations.models import Organisation

    organisation = get_object_or_404(Organisation, slug=slug)
    memberships = list(networks.networks_of(organisation))
    return {
        "networks": [_member(m) for m in memberships],
        "network_names": [
            {
                "slug": m.network.slug,
                "uri": m.network.uri,
                "name": m.network.name,
                "decision_rule": m.network.decision_rule,
            }
            for m in memberships
        ],
        "coalitions": [
            {
                "coalition": row["coalition"].slug,
                "name": row["coalition"].name,
                "status": row["coalition"].status(),
                "state": row["participation"].state,
                "demands": [
                    {"title": d["demand"].title, "programme_sections": d["sections"]}
                    for d in row["demands"]
                ],
            }
            for row in coalitions.pursued_by(organisation)
        ],
    }


@acting_router.post("/{slug}/networks", response={201: NetworkOut})
def found_network(request, slug: PathText, payload: NetworkIn):
    organisation, member = acting(request, slug)
    network = networks.found_network(member, organisation, **payload.dict())
    return Status(201, network_out(network))


@acting_router.post("/{slug}/networks/{network}/invitations", response={201: NetworkOut})
def invite_to_network(request, slug: PathText, network: PathText, payload: InviteIn):
    organisation, member = acting(request, slug)
    n = _network(network)
    networks.invite(
        member, organisation, n, member_uri=payload.uri, member_name=payload.name, kind=payload.kind
    )
    return Status(201, network_out(n))


@acting_router.post("/{slug}/networks/{network}/join", response=NetworkOut)
def join_network(request, slug: PathText, network: PathText, payload: CitingIn):
    organisation, member = acting(request, slug)
    n = _network(network)
    networks.join(member, organisation, n, **payload.dict())
    return network_out(n)


@acting_router.post("/{slug}/networks/{network}/leave", response=NetworkOut)
def leave_network(request, slug: PathText, network: PathText, payload: CitingIn):
    organisation, member = acting(request, slug)
    n = _network(network)
    networks.leave(member, organisation, n, **payload.dict())
    return network_out(n)


@acting_router.post("/{slug}/networks/{network}/endorsements", response=NetworkOut)
def endorse(request, slug: PathText, network: PathText, payload: NetworkEndorseIn):
    """Endorse the network's joining (or leaving) ``parent``, citing this organisation's
    decision; the act is done when the network's rule is met."""
    organisation, member = acting(request, slug)
    n = _network(network)
    data = payload.dict()
    parent = Network.objects.filter(slug=data.pop("parent")).first()
    if parent is None:
        raise RuleViolation(_t("Nothing known here has this short name."), "parent")
    networks.endorse(member, organisation, n, parent=parent, **data)
    return network_out(n)


@acting_router.post("/{slug}/coalitions", response={201: CoalitionOut})
def create_coalition(request, slug: PathText, payload: CoalitionIn):
    organisation, member = acting(request, slug)
    data = payload.dict()
    network = None
    if data.get("network"):
        network = Network.objects.filter(slug=data["network"]).first()
        if network is None:
            raise RuleViolation(_t("Nothing known here has this short name."), "network")
    data["network"] = network
    c = coalitions.create_coalition(member, organisation, **data)
    return Status(201, coalition_out(c))


@acting_router.post("/{slug}/coalitions/{coalition}/invitations", response={201: CoalitionOut})
def invite_to_coalition(request, slug: PathText, coalition: PathText, payload: InviteIn):
    organisation, member = acting(request, slug)
    c = _coalition(coalition)
    coalitions.invite(
        member, organisation, c, organisation_uri=payload.uri, organisation_name=payload.name
    )
    return Status(201, coalition_out(c))


@acting_router.post("/{slug}/coalitions/{coalition}/decision", response=CoalitionOut)
def decide(request, slug: PathText, coalition: PathText, payload: DecideIn):
    """``state``: ratifying (put to a decision), ratified, declined or withdrawn (citing one)."""
    organisation, member = acting(request, slug)
    c = _coalition(coalition)
    data = payload.dict()
    coalitions.decide(member, organisation, c, data.pop("state"), **data)
    return coalition_out(c)


@acting_router.post("/{slug}/coalitions/{coalition}/renewal", response=CoalitionOut)
def renew(request, slug: PathText, coalition: PathText, payload: RenewIn):
    organisation, member = acting(request, slug)
    c = coalitions.renew(member, organisation, _coalition(coalition), ends_on=payload.ends_on)
    return coalition_out(c)


@acting_router.post("/{slug}/concert-pledges", response={201: ConcertOut})
def create_concert_pledge(request, slug: PathText, payload: ConcertIn):
    organisation, member = acting(request, slug)
    data = payload.dict()
    holder = _holder(data)
    pledge = concert.create(member, organisation, holder, **data)
    return Status(201, concert_out(pledge))


@acting_router.post("/{slug}/concert-pledges/{pledge_id}/chapter", response={201: ChapterOut})
def open_chapter(request, slug: PathText, pledge_id: Id):
    """The organisation's own pledge toward it: its members pledge there, privately."""
    organisation, member = acting(request, slug)
    pledge = get_object_or_404(ConcertPledge, pk=pledge_id)
    chapter = concert.open_chapter(member, organisation, pledge)
    return Status(201, {"pledge_id": chapter.pk, "organisation": organisation.slug})


@acting_router.post("/{slug}/shared", response={201: dict})
def share(request, slug: PathText, payload: ShareIn):
    """Run a public struggle, event or solidarity request with a network or coalition."""
    organisation, member = acting(request, slug)
    data = payload.dict()
    holder = _holder(data)
    item = sharing.share(member, organisation, holder, **data)
    return Status(201, {"kind": payload.kind, "item_id": item.pk, "with": holder.uri})


@acting_router.post("/{slug}/shared/withdrawal", response={200: dict})
def unshare(request, slug: PathText, payload: ShareIn):
    """Stop running an item with a network or coalition: it goes from every server."""
    organisation, member = acting(request, slug)
    data = payload.dict()
    holder = _holder(data)
    item = sharing.unshare(member, organisation, holder, **data)
    return {"kind": payload.kind, "item_id": item.pk, "with": holder.uri, "shared": False}


@acting_router.post("/{slug}/shared-documents/withdrawal", response={200: dict})
def unshare_document(request, slug: PathText, payload: ShareDocumentIn):
    """Take a document of the organisation's archive off a network's or coalition's list."""
    organisation, member = acting(request, slug)
    data = payload.dict()
    holder = _holder(data)
    sharing.unshare_document(member, organisation, holder, **data)
    return {"document_id": payload.document_id, "with": holder.uri, "shared": False}


@acting_router.post("/{slug}/shared-documents", response={201: DocumentOut})
def share_document(request, slug: PathText, payload: ShareDocumentIn):
    organisation, member = acting(request, slug)
    data = payload.dict()
    holder = _holder(data)
    d = sharing.share_document(member, organisation, holder, **data)
    return Status(
        201, {"title": d.title, "uri": d.document_uri, "organisation": d.organisation_name}
    )
