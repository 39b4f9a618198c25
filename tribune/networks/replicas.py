"""Copies of networks, coalitions and concert pledges decided on another server.

A network (coalition, concert pledge) is decided on its **home** server. A
server whose organisations are members or invited holds a copy (``home``
False), so its officers can act on it with the same service functions: their
acts are forwarded home (``common.forward``), and the home server sends back
the new state. ``snapshot`` is that state as plain values (counts, never who
pledged); ``apply`` brings a copy up to it. Only plain values cross servers,
and nothing here touches any organisation's programme, constitution or
membership.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _t

from tribune.lib.errors import RuleViolation
from tribune.networks.common import local_organisation, site
from tribune.networks.models import (
    Coalition,
    ConcertCount,
    ConcertPledge,
    Demand,
    Membership,
    Network,
    Participation,
    SharedDocument,
)

KINDS = {
    "tribune:Network": Network,
    "tribune:Coalition": Coalition,
    "tribune:ConcertPledge": ConcertPledge,
}


class NotYet(RuleViolation):
    """The copy this one hangs on (a coalition's network, a pledge's coalition) has not arrived."""

    status = 409


def holder_kind(obj) -> str:
    return {
        Network: "tribune:Network",
        Coalition: "tribune:Coalition",
        ConcertPledge: "tribune:ConcertPledge",
    }[type(obj)]


def snapshot(obj) -> dict:
    """The state of a home network, coalition or concert pledge, as plain values."""
    if isinstance(obj, Network):
        return {
            "type": "tribune:Network",
            "id": obj.uri,
            "slug": obj.slug,
            "name": obj.name,
            "purpose": obj.purpose,
            "decision_rule": obj.decision_rule,
            "founded_by_uri": obj.founded_by_uri,
            "members": [
                {
                    "uri": m.member_uri,
                    "name": m.member_name,
                    "kind": m.kind,
                    "state": m.state,
                    "invited_by_uri": m.invited_by_uri,
                    "join_decision": m.join_decision,
                    "leave_decision": m.leave_decision,
                    "size": m.size,
                }
                for m in obj.memberships.all()
            ],
            "shared": _shared(obj),
        }
    if isinstance(obj, Coalition):
        return {
            "type": "tribune:Coalition",
            "id": obj.uri,
            "slug": obj.slug,
            "name": obj.name,
            "purpose": obj.purpose,
            "network": obj.network.uri if obj.network else None,
            "ends_on": obj.ends_on.isoformat(),
            "round": obj.round,
            "founded_by_uri": obj.founded_by_uri,
            "demands": [
                {"key": d.key, "title": d.title, "text": d.text, "position": d.position}
                for d in obj.demands.all()
            ],
            "participants": [
                {
                    "uri": p.organisation_uri,
                    "name": p.organisation_name,
                    "state": p.state,
                    "round": p.round,
                    "decision": p.decision,
                    "programme_links": p.programme_links,
                    "invited_by_uri": p.invited_by_uri,
                }
                for p in obj.participations.all()
            ],
            "shared": _shared(obj),
        }
    return {
        "type": "tribune:ConcertPledge",
        "id": obj.uri,
        "coalition": obj.coalition.uri if obj.coalition else None,
        "network": obj.network.uri if obj.network else None,
        "action": obj.action,
        "details": obj.details,
        "threshold": obj.threshold,
        "deadline": obj.deadline.isoformat(),
        "total": obj.total,
        "triggered_at": obj.triggered_at.isoformat() if obj.triggered_at else None,
        "created_by_uri": obj.created_by_uri,
        # Each organisation's count: a number, never a name of a pledger.
        "counts": [
            {"uri": c.organisation_uri, "name": c.organisation_name, "count": c.count}
            for c in obj.counts.all()
        ],
    }


def _shared(holder) -> list[dict]:
    """What organisations shared with it: public pages and an event's times, nothing more."""
    return [
        {
            "uri": d.document_uri,
            "title": d.title,
            "kind": d.kind,
            "details": d.details,
            "organisation_uri": d.organisation_uri,
            "organisation_name": d.organisation_name,
        }
        for d in holder.documents.all()
    ]


def _apply_shared(holder, items: list[dict]) -> None:
    """The copy's shared list becomes the home's: what was withdrawn there goes here."""
    is_coalition = isinstance(holder, Coalition)
    holder.documents.exclude(document_uri__in=[d["uri"] for d in items]).delete()
    for d in items:
        SharedDocument.objects.update_or_create(
            document_uri=d["uri"],
            **({"coalition": holder} if is_coalition else {"network": holder}),
            defaults={
                "title": d["title"],
                "kind": d["kind"],
                "details": d["details"] or {},
                "organisation_uri": d["organisation_uri"],
                "organisation_name": d["organisation_name"],
            },
        )


def organisations_of(obj) -> set[str]:
    """The actor URIs of the organisations taking part (where the copies must go)."""
    if isinstance(obj, Network):
        return set(obj.memberships.values_list("member_uri", flat=True))
    if isinstance(obj, Coalition):
        return set(obj.participations.values_list("organisation_uri", flat=True))
    holder = obj.coalition or obj.network
    return organisations_of(holder) if holder else set()


def holder_for(instance):
    """The network, coalition or pledge whose copy a saved row belongs to."""
    if isinstance(instance, Network | Coalition | ConcertPledge):
        return instance
    if isinstance(instance, Membership):
        return instance.network
    if isinstance(instance, Demand | Participation):
        return instance.coalition
    if isinstance(instance, ConcertCount):
        return instance.pledge
    if isinstance(instance, SharedDocument):
        return instance.network or instance.coalition
    return None


def _copy(model, data: dict):
    found = model.objects.filter(uri=data["id"]).first()
    if found is not None and found.home:
        raise RuleViolation(_t("This server is the home of that; it takes no copy of it."))
    return found


def _free_slug(model, slug: str, uri: str) -> str:
    if not model.objects.filter(slug=slug).exclude(uri=uri).exists():
        return slug
    return f"{slug[:40]}-{uri.rsplit('/', 1)[-1][:8]}"


@transaction.atomic
def apply(data: dict):
    """Bring this server's copy up to ``data`` (a ``snapshot`` from its home server)."""
    kind = data.get("type")
    if kind == "tribune:Network":
        return _apply_network(data)
    if kind == "tribune:Coalition":
        return _apply_coalition(data)
    if kind == "tribune:ConcertPledge":
        return _apply_pledge(data)
    raise RuleViolation(_t("Not a network, coalition or pledge."))


def _apply_network(data: dict) -> Network:
    network = _copy(Network, data) or Network(uri=data["id"], home=False)
    network.slug = _free_slug(Network, data["slug"], data["id"])
    for name in ("name", "purpose", "decision_rule", "founded_by_uri"):
        setattr(network, name, data[name])
    network.save()
    for m in data["members"]:
        Membership.objects.update_or_create(
            network=network,
            member_uri=m["uri"],
            defaults={
                "member_name": m["name"],
                "kind": m["kind"],
                "organisation": local_organisation(m["uri"]),
                "member_network": Network.objects.filter(uri=m["uri"]).first(),
                "state": m["state"],
                "invited_by_uri": m["invited_by_uri"],
                "join_decision": m["join_decision"],
                "leave_decision": m["leave_decision"],
                "size": m["size"],
            },
        )
    _apply_shared(network, data.get("shared", []))
    return network


def _apply_coalition(data: dict) -> Coalition:
    coalition = _copy(Coalition, data) or Coalition(uri=data["id"], home=False)
    network = None
    if data["network"]:
        network = Network.objects.filter(uri=data["network"]).first()
    coalition.slug = _free_slug(Coalition, data["slug"], data["id"])
    coalition.network = network
    coalition.ends_on = date.fromisoformat(data["ends_on"])
    for name in ("name", "purpose", "round", "founded_by_uri"):
        setattr(coalition, name, data[name])
    coalition.save()
    known = {d.key: d for d in coalition.demands.all()}
    for d in data["demands"]:
        demand = known.get(d["key"]) or Demand(coalition=coalition, key=d["key"])
        demand.title, demand.text, demand.position = d["title"], d["text"], d["position"]
        demand.save()
    for p in data["participants"]:
        Participation.objects.update_or_create(
            coalition=coalition,
            organisation_uri=p["uri"],
            defaults={
                "organisation_name": p["name"],
                "organisation": local_organisation(p["uri"]),
                "state": p["state"],
                "round": p["round"],
                "decision": p["decision"],
                "programme_links": p["programme_links"] or {},
                "invited_by_uri": p["invited_by_uri"],
            },
        )
    _apply_shared(coalition, data.get("shared", []))
    return coalition


def _apply_pledge(data: dict) -> ConcertPledge:
    from tribune.networks import concert

    coalition = (
        Coalition.objects.filter(uri=data["coalition"]).first() if data["coalition"] else None
    )
    network = Network.objects.filter(uri=data["network"]).first() if data["network"] else None
    if coalition is None and network is None:
        raise NotYet(_t("The coalition or network of this pledge is not known here yet."))
    pledge = _copy(ConcertPledge, data) or ConcertPledge(uri=data["id"], home=False)
    pledge.coalition, pledge.network = coalition, network
    pledge.deadline = datetime.fromisoformat(data["deadline"])
    for name in ("action", "details", "threshold", "total", "created_by_uri"):
        setattr(pledge, name, data[name])
    pledge.save()
    here = f"{site()}/"
    for c in data["counts"]:
        if c["uri"].startswith(here):
            continue  # this server's own organisations' counts are kept here, not copied back
        ConcertCount.objects.update_or_create(
            pledge=pledge,
            organisation_uri=c["uri"],
            defaults={"organisation_name": c["name"], "count": c["count"]},
        )
    if data["triggered_at"]:
        concert.receive_trigger(pledge.uri)
    return pledge
