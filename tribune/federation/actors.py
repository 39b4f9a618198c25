"""Local actors besides the server: organisations (Organization) and networks (Group).

Each has an HTTPS URI ending in a UUID, ``<site>/federation/actors/<uuid>``,
given on first use and kept (``ActorRef``); other servers refer to it by that
URI only. Apps with actors of their own (networks) register a describer.
"""

import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction

from tribune.federation import keys
from tribune.federation.models import ActorRef
from tribune.federation.urls_util import site

_describers: dict[str, Callable[[int], dict | None]] = {}


def describes(kind: str):
    """Register how to describe local actors of ``kind`` (the id, type, inbox are added)."""

    def register(function):
        _describers[kind] = function
        return function

    return register


def uri(kind: str, local_id: int) -> str:
    """The actor URI of a local object (made on first use)."""
    ref = ActorRef.objects.filter(kind=kind, local_id=local_id).first()
    if ref is None:
        try:
            with transaction.atomic():
                ref = ActorRef.objects.create(kind=kind, local_id=local_id)
        except IntegrityError:
            ref = ActorRef.objects.get(kind=kind, local_id=local_id)
    return f"{site()}/federation/actors/{ref.uuid}"


def resolve(actor_uri: str) -> ActorRef | None:
    """The local actor a URI of this server names (None if none)."""
    prefix = f"{site()}/federation/actors/"
    if not actor_uri.startswith(prefix):
        return None
    try:
        value = uuid.UUID(actor_uri[len(prefix) :])
    except ValueError:
        return None
    return ActorRef.objects.filter(uuid=value).first()


def document(value: uuid.UUID) -> dict | None:
    """The actor document served at ``/federation/actors/<uuid>``."""
    from tribune.federation.links import actor_document

    if value == keys.server_uuid():
        return actor_document()
    ref = ActorRef.objects.filter(uuid=value).first()
    if ref is None or ref.kind not in _describers:
        return None
    described = _describers[ref.kind](ref.local_id)
    if described is None:
        return None
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        **described,
        "id": f"{site()}/federation/actors/{ref.uuid}",
        "inbox": f"{site()}/federation/inbox",
        "attributedTo": keys.actor_id(),
    }


def by_identity(kind: str, uid: uuid.UUID) -> dict | None:
    """The document at ``<site>/id/<kind>/<uuid>``: an organisation (Organization), a
    network or coalition (Group, with its state), a concert pledge (its counts only)."""
    from tribune.networks import replicas
    from tribune.networks.models import Coalition, ConcertPledge, Network
    from tribune.organisations.models import Organisation

    uri = f"{site()}/id/{kind}/{uid}"
    base = {"@context": "https://www.w3.org/ns/activitystreams", "id": uri}
    if kind == "organisation":
        organisation = Organisation.objects.filter(uid=uid).first()
        if organisation is None:
            return None
        return {
            **base,
            "type": "Organization",
            "name": organisation.name,
            "preferredUsername": organisation.slug,
            "url": f"{site()}/o/{organisation.slug}/",
            "inbox": f"{site()}/federation/inbox",
            "attributedTo": keys.actor_id(),
        }
    model = {"network": Network, "coalition": Coalition, "concert-pledge": ConcertPledge}.get(kind)
    found = model.objects.filter(uri=uri, home=True).first() if model else None
    if found is None:
        return None
    state = replicas.snapshot(found)
    if kind == "concert-pledge":
        return {**base, **state, "id": uri}
    return {
        **base,
        **state,
        "id": uri,
        "type": "Group",
        "tribune:kind": state["type"],
        "inbox": f"{site()}/federation/inbox",
        "attributedTo": keys.actor_id(),
    }
