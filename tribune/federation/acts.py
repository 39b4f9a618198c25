"""The server's own chain: what its operators did to links with other servers.

The audit log (tribune/audit) is each organisation's; linking servers is an act of
the server's operator, not of any organisation, so it is kept here, hash-chained the
same way (each entry's hash covers its content and the previous hash, so editing or
deleting a row breaks every later one; ``verify`` finds the first broken entry) and
append-only. An entry names the peer server (its public actor id) and the operator's
account number, or the command line; nothing private.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tribune.federation.models import Peer, ServerAct

GENESIS = "0" * 64


def _digest(act: ServerAct) -> str:
    body = {
        "seq": act.seq,
        "at": act.at.isoformat(),
        "action": act.action,
        "peer": act.peer_actor,
        "operator": act.operator_id,
        "data": act.data,
        "prev": act.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(action: str, peer: Peer, *, operator=None, data: dict | None = None) -> ServerAct:
    """Append one act in the caller's transaction (the act and its entry commit together)."""
    with transaction.atomic():
        last = ServerAct.objects.select_for_update().order_by("-seq").first()
        act = ServerAct(
            seq=(last.seq + 1) if last else 1,
            at=timezone.now(),
            action=action,
            peer_actor=peer.actor_id,
            operator_id=getattr(operator, "pk", None),
            data=data or {},
            prev_hash=last.hash if last else GENESIS,
        )
        act.hash = _digest(act)
        act.save()
    return act


def verify() -> tuple[bool, int | None]:
    """(whole, the first broken entry's seq or None)."""
    prev = GENESIS
    expected = 1
    for act in ServerAct.objects.order_by("seq").iterator():
        if act.seq != expected or act.prev_hash != prev or _digest(act) != act.hash:
            return False, act.seq
        prev, expected = act.hash, expected + 1
    return True, None
