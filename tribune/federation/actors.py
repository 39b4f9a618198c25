"""The documents behind this server's identifiers: the server, organisations, networks.

Every identifier is an HTTPS URI ending in a UUID: the server is
``<site>/federation/actors/<uuid>`` (a ``Service``, the UUID derived from its
key); organisations, networks, coalitions and concert pledges are
``<site>/id/<kind>/<uuid>`` (their own ``uid``, see tribune/networks/common.py).
Other servers refer to them by these URIs only.
"""

import uuid

from django.utils import timezone

from tribune.federation import keys
from tribune.federation.urls_util import site


def document(value: uuid.UUID) -> dict | None:
    """The actor document served at ``/federation/actors/<uuid>`` (the server's only)."""
    from tribune.federation.links import actor_document

    return actor_document() if value == keys.server_uuid() else None


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
    # "updated": when this state was read, so a server that fetched it (relayed to it by a
    # third) never takes an older state after a newer one.
    state = {**replicas.snapshot(found), "updated": timezone.now().isoformat()}
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
