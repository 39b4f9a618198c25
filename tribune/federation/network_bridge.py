"""The networks app across servers: acts forwarded home, state sent back to every copy.

* An officer acts on a copy of a network, coalition or concert pledge whose
  home is another server (``networks.common.forward``): the act goes to that
  server as ``Offer`` of a ``tribune:NetworkAct`` carrying the plain values, and
  there the same ``record_*`` function runs. The home server accepts an act
  only for an organisation of the sending server (its actor URI is on the
  sender's origin): no server acts for another's organisations.
* Whenever a home network, coalition or concert pledge changes (any saved row
  of it), once its transaction commits, the task queue sends its ``snapshot`` as
  ``Update`` to every linked server with an organisation taking part (one
  snapshot for all the changes made before it was taken); there ``replicas.apply``
  brings the copy up to date (a snapshot older than the copy's is ignored). A
  pledge's snapshot carries counts per organisation only, and its trigger: each
  server then triggers its own organisations' chapters, so each pledger is told
  once, by their own organisation.
* When the home server refuses a forwarded act under its rules, the acting
  organisation's side is undone here (``networks.refused``): its decision freed,
  the refusal logged after the act, its representatives told.
"""

import hashlib
import threading
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from tribune.federation import delivery
from tribune.federation.models import Activity, Delivery, Peer, ReplicaVersion
from tribune.federation.registry import handles
from tribune.federation.signatures import Refusal
from tribune.federation.urls_util import is_local, origin
from tribune.lib.errors import RuleViolation
from tribune.networks import coalitions, concert, networks, refused, replicas, sharing
from tribune.networks.common import SentAct, forward, sent_acts
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
from tribune.outbox.services import once_after_commit

ACT = "tribune:NetworkAct"

# (model, action) → (record function, the value naming the acting organisation)
RECORDS = {
    (Network, "invite"): (networks.record_invitation, "invited_by_uri"),
    (Network, "join"): (networks.record_join, "member_uri"),
    (Network, "leave"): (networks.record_leave, "member_uri"),
    (Coalition, "invite"): (coalitions.record_invitation, "invited_by_uri"),
    (Coalition, "decide"): (coalitions.record_state, "organisation_uri"),
    (Coalition, "renew"): (coalitions.record_renewal, "renewed_by_uri"),
    (ConcertPledge, "count"): (concert.report_count, "organisation_uri"),
    (Network, "endorse"): (networks.record_endorsement, "organisation_uri"),
    (Network, "network"): (networks.record_network_decision, "member_uri"),
    (Network, "size"): (networks.record_size, "member_uri"),
    (Network, "share"): (sharing.record_shared, "organisation_uri"),
    (Coalition, "share"): (sharing.record_shared, "organisation_uri"),
    (Network, "unshare"): (sharing.record_unshared, "organisation_uri"),
    (Coalition, "unshare"): (sharing.record_unshared, "organisation_uri"),
}


def _peer_for(uri: str) -> Peer:
    peer = Peer.objects.filter(
        status=Peer.Status.ACTIVE, actor_id__startswith=origin(uri) + "/"
    ).first()
    if peer is None:
        raise RuleViolation(_("This server has no active link with the server this is decided on."))
    return peer


def forward_home(sender, *, target_uri: str, action: str, values: dict, **kwargs) -> None:
    """An act on a copy: sent to its home server in the acting transaction (refused if unlinked)."""
    # A count is the organisation's whole count: a later one supersedes an earlier.
    key = f"count {target_uri} {values.get('organisation_uri')}" if action == "count" else ""
    delivery.publish(
        "Offer",
        {"type": ACT, "target": target_uri, "action": action, "values": values},
        to=[_peer_for(target_uri)],
        supersede_key=key,
    )


def _home_model(uri: str):
    for model in (Network, Coalition, ConcertPledge):
        if model.objects.filter(uri=uri, home=True).exists():
            return model
    return None


@handles("Offer", ACT)
def act_received(peer: Peer, activity: dict) -> None:
    """An act of one of the sending server's organisations on something whose home is here."""
    obj = activity["object"]
    target, action, values = obj.get("target"), obj.get("action"), obj.get("values")
    if not isinstance(target, str) or not isinstance(values, dict):
        raise RuleViolation("An act names its target and its values.")
    model = _home_model(target)
    if model is None or (model, action) not in RECORDS:
        raise RuleViolation("This server is not the home of that, or does not know that act.")
    record, acting = RECORDS[(model, action)]
    actor_uri = values.get(acting)
    if not isinstance(actor_uri, str) or origin(actor_uri) != peer.origin:
        raise RuleViolation("A server acts only for its own organisations.")
    key = "count " + hashlib.sha256(f"{target} {actor_uri}".encode()).hexdigest()
    if action == "count" and _older(key, activity):
        return  # an organisation's earlier count, arrived after a later one
    try:
        record(**values)
    except TypeError:
        raise RuleViolation("The act's values are not what it takes.") from None


def home_refused(sender, *, activity: dict, peer: Peer, reason: str, **kwargs) -> None:
    """The home server refused one of our acts on its network, coalition or pledge."""
    if found := _our_act(activity):
        obj, acting = found
        refused.act_refused(
            activity_id=str(activity.get("id", "")),
            target_uri=obj["target"],
            action=obj["action"],
            acting_uri=acting,
            values=obj["values"],
            reason=reason,
        )


def home_unreached(sender, *, activity: dict, peer: Peer, **kwargs) -> None:
    """One of our acts could not be delivered to its home server: its officers are told."""
    if found := _our_act(activity):
        obj, acting = found
        refused.act_undelivered(
            activity_id=str(activity.get("id", "")),
            target_uri=obj["target"],
            action=obj["action"],
            acting_uri=acting,
        )


def _our_act(activity: dict) -> tuple[dict, str] | None:
    """A sent act and whoever acted in it; None for any other activity, or an unknown target."""
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") != ACT:
        return None
    acting = _acting_uri(obj, _models_of([obj.get("target")]))
    return (obj, acting) if acting is not None else None


def _models_of(targets) -> dict[str, type]:
    """The model of each network, coalition or pledge known here among ``targets``."""
    uris = [t for t in targets if isinstance(t, str)]
    found: dict[str, type] = {}
    for model in (Network, Coalition, ConcertPledge):
        for uri in model.objects.filter(uri__in=uris).values_list("uri", flat=True):
            found.setdefault(uri, model)
    return found


def _acting_uri(obj: dict, models: dict[str, type]) -> str | None:
    """The URI of whoever acts in a sent act (the value ``RECORDS`` names for it), or None."""
    target, action, values = obj.get("target"), obj.get("action"), obj.get("values")
    if not isinstance(target, str) or not isinstance(values, dict):
        return None
    if (models.get(target), action) not in RECORDS:
        return None
    acting = values.get(RECORDS[(models[target], action)][1])
    return acting if isinstance(acting, str) else None


SHOWN_FOR = timedelta(days=30)  # how long a refused or undelivered act stays on the page


def acts_of(sender, *, organisation_uri: str, **kwargs) -> list[SentAct]:
    """The organisation's acts sent home in the last 30 days that were not taken there."""
    deliveries = list(
        Delivery.objects.filter(
            activity__object_type=ACT,
            activity__created_at__gte=timezone.now() - SHOWN_FOR,
            status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED, Delivery.Status.REFUSED],
        )
        .select_related("activity")
        .order_by("activity__created_at")
    )
    states = {
        Delivery.Status.QUEUED: "waiting",
        Delivery.Status.FAILED: "failed",
        Delivery.Status.REFUSED: "refused",
    }
    objects = [row.activity.data.get("object") or {} for row in deliveries]
    models = _models_of(obj.get("target") for obj in objects)  # one query per kind, not per act
    acts = []
    for row, obj in zip(deliveries, objects, strict=True):
        if _acting_uri(obj, models) != organisation_uri:
            continue  # another organisation's (or a network's own) act
        acts.append(
            SentAct(
                target_uri=str(obj.get("target", "")),
                action=str(obj.get("action", "")),
                state=states[row.status],
                since=row.activity.created_at,
                reason=row.last_error if row.status == Delivery.Status.REFUSED else "",
            )
        )
    return acts


def _older(key: str, activity: dict) -> bool:
    """Whether ``activity`` is older than the last one taken under ``key`` (else record it)."""
    published = str(activity.get("published", ""))
    version = ReplicaVersion.objects.select_for_update().filter(uri=key).first()
    if version is not None and version.updated >= published:
        return True
    ReplicaVersion.objects.update_or_create(uri=key, defaults={"updated": published})
    return False


# --- home → copies --------------------------------------------------------------------------

_dirty = threading.local()


def _changed(sender, instance, **kwargs) -> None:
    holder = replicas.holder_for(instance)
    if holder is None or not holder.home:
        return
    pending = getattr(_dirty, "uris", None)
    if pending is None:
        pending = _dirty.uris = {}
    pending[holder.uri] = type(holder)
    once_after_commit(_flush)


def _flush() -> None:
    """After the commit: ask the task queue for each changed holder's state.

    Not sent here: a pledger's request would pay a second transaction for it,
    and while many pledge the queue sends one state for many changes
    (``send_state_after``). Should the queue be out of reach, sent here.
    """
    pending, _dirty.uris = getattr(_dirty, "uris", None) or {}, {}
    asked_at = timezone.now().isoformat()
    for uri, model in pending.items():
        try:
            from tribune.federation.tasks import send_state_soon

            send_state_soon(model._meta.label, uri, asked_at)
        except Exception:  # the queue's store is down: send it now
            send_state(model.objects.filter(uri=uri, home=True).first())


def send_state_after(label: str, uri: str, asked_at: str) -> int:
    """Send the holder's state unless one taken after ``asked_at`` is already on its way."""
    from django.apps import apps

    latest = (
        Activity.objects.filter(supersede_key=f"state {uri}")
        .order_by("-pk")
        .values_list("data__object__updated", flat=True)
        .first()
    )
    if latest and datetime.fromisoformat(str(latest)) > datetime.fromisoformat(asked_at):
        return 0  # taken after the change: it carries it
    return send_state(apps.get_model(label).objects.filter(uri=uri, home=True).first())


def send_state(holder) -> int:
    """Send the holder's snapshot to every linked server with an organisation taking part."""
    if holder is None:
        return 0
    origins = {origin(u) for u in replicas.organisations_of(holder) if not is_local(u)}
    if isinstance(holder, Coalition) and holder.network is not None:
        origins |= {origin(u) for u in replicas.organisations_of(holder.network) if not is_local(u)}
    peers = [p for p in Peer.objects.filter(status=Peer.Status.ACTIVE) if p.origin in origins]
    if not peers:
        return 0
    taken = timezone.now().isoformat()  # before reading: any change committed by then is in
    data = {**replicas.snapshot(holder), "updated": taken}
    with transaction.atomic():
        delivery.publish("Update", data, to=peers, supersede_key=f"state {holder.uri}")
        if isinstance(holder, Network):
            for parent in _parents(holder):
                relay(parent)
    return len(peers)


# --- networks of networks: a parent's state relayed to the member network's servers -------


def _parents(network: Network):
    """Copies held here of networks that ``network`` (a home network) is in or invited to."""
    uris = Membership.objects.filter(
        member_uri=network.uri, kind="network", network__home=False
    ).exclude(state="left")
    return Network.objects.filter(pk__in=uris.values("network_id"))


def relay(parent: Network) -> int:
    """Announce ``parent`` (a copy of a network decided on another server) to the servers of
    the organisations of its member networks whose home is here.

    Only the reference travels: each receiving server fetches the parent's state again
    from its origin (``inbox.refetch_relayed``) and uses only that copy, so a relaying
    server cannot alter what it passes on.
    """
    children = Network.objects.filter(
        home=True,
        uri__in=parent.memberships.filter(kind="network")
        .exclude(state="left")
        .values("member_uri"),
    )
    origins: set[str] = set()
    for child in children:
        origins |= {origin(u) for u in replicas.organisations_of(child) if not is_local(u)}
    origins.discard(origin(parent.uri))
    peers = [p for p in Peer.objects.filter(status=Peer.Status.ACTIVE) if p.origin in origins]
    if peers:
        delivery.publish(
            "Announce",
            {"id": parent.uri, "type": "tribune:Network"},
            to=peers,
            supersede_key=f"relay {parent.uri}",
        )
    return len(peers)


@handles("Announce", "tribune:Network")
def relayed_received(peer: Peer, activity: dict) -> None:
    """A network relayed by a third server: its state as fetched again from its origin."""
    data = activity["object"]
    if data.get("tribune:kind") != "tribune:Network" or is_local(str(data.get("id", ""))):
        raise RuleViolation("Only a network's state fetched from its home server is taken.")
    _take_state({**data, "type": "tribune:Network"})


@handles("Update", "tribune:Network")
@handles("Update", "tribune:Coalition")
@handles("Update", "tribune:ConcertPledge")
def state_received(peer: Peer, activity: dict) -> None:
    """A home server's new state of something our organisations take part in."""
    data = activity["object"]
    if origin(str(data.get("id", ""))) != peer.origin:
        raise RuleViolation("Only its home server tells the state of a network.")
    holder = _take_state(data)
    if isinstance(holder, Network) and holder.memberships.filter(kind="network").exists():
        relay(holder)


def _take_state(data: dict):
    """Bring the copy up to ``data`` unless a later state was taken already."""
    updated = str(data.get("updated", ""))
    version = ReplicaVersion.objects.select_for_update().filter(uri=data["id"]).first()
    if version is not None and version.updated >= updated:
        return None  # an older state, arrived late
    try:
        holder = replicas.apply(data)
    except replicas.NotYet as error:
        raise Refusal(503, "not_yet", error.message) from None
    except (KeyError, TypeError, ValueError):
        raise RuleViolation("The state sent is not complete.") from None
    ReplicaVersion.objects.update_or_create(uri=data["id"], defaults={"updated": updated})
    return holder


def connect() -> None:
    forward.connect(forward_home, dispatch_uid="federation.forward_home")
    delivery.act_refused.connect(home_refused, dispatch_uid="federation.home_refused")
    delivery.act_failed.connect(home_unreached, dispatch_uid="federation.home_unreached")
    sent_acts.connect(acts_of, dispatch_uid="federation.acts_of")
    for model in (
        Network,
        Membership,
        Coalition,
        Demand,
        Participation,
        ConcertPledge,
        ConcertCount,
        SharedDocument,
    ):
        post_save.connect(
            _changed, sender=model, dispatch_uid=f"federation.changed.{model.__name__}"
        )
    # A shared item withdrawn: the holder's state, without it, goes to every copy.
    post_delete.connect(_changed, sender=SharedDocument, dispatch_uid="federation.unshared")
