"""The federation outbox: activities written with the act, delivered after it commits.

The email outbox's pattern (tribune/outbox/services.py), for servers instead of
mail servers: ``publish`` writes the activity and one ``Delivery`` per peer in
the caller's transaction (an act that rolls back sends nothing) and wakes the
task queue once that commits (``once_after_commit``, shared with the email
outbox). Each attempt first claims its row with a conditional UPDATE, so two
workers never post the same delivery at once.

A failed attempt (no answer, 5xx, 408, 429) is tried again after
TRIBUNE_FEDERATION_RETRY_SECONDS, doubling each time up to
TRIBUNE_FEDERATION_RETRY_CAP_SECONDS, until TRIBUNE_FEDERATION_GIVE_UP_HOURS
(48) after the activity was written: then ``failed``, shown in ``tribune peers
list``, the operator's page and /metrics. Any other 4xx (401, 403: the link was
revoked) fails at once with the peer's stated reason. A 422 "refused" (the
peer's rules refuse the act itself: the coalition had ended there, say) is
``refused``: never tried again, and the ``act_refused`` signal lets the app
that acted undo its side (tribune/networks/refused.py). The retry is a task
scheduled in the queue's store, and a task every minute delivers whatever is due
besides, so a restart of either server loses nothing. A worker that dies
mid-post leaves the row claimed until its lease ends; the post is then made
again, and the peer answers the repeated activity id with 202 and no effect:
delivered at least once, acted on exactly once.
"""

import json
import logging
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef
from django.dispatch import Signal
from django.utils import timezone

from tribune.federation import keys, signatures
from tribune.federation.models import Activity, Delivery, Peer, PublishedObject
from tribune.federation.urls_util import site
from tribune.outbox.services import once_after_commit

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=2)

# Deliveries that will not be made: a later activity ending so carries nothing.
ENDED = [Delivery.Status.FAILED, Delivery.Status.REFUSED, Delivery.Status.STOPPED]

# A peer refused an activity of ours under its rules (422 "refused"), sent once, in the
# transaction that marks the delivery refused. kwargs: activity (its JSON), peer, reason.
act_refused = Signal()

# An activity of ours failed for good (given up, or refused for the link or its form):
# sent once, in the transaction that marks it failed. kwargs: activity, peer. Nothing
# is undone: the operator may send it again.
act_failed = Signal()
CONTEXT = "https://www.w3.org/ns/activitystreams"


def object_uri(published: PublishedObject) -> str:
    return f"{site()}/federation/objects/{published.uuid}"


def publish(
    activity_type: str,
    obj: dict | str,
    *,
    to: Iterable[Peer] | None = None,
    actor: str | None = None,
    store_object: bool = True,
    supersede_key: str = "",
) -> Activity:
    """Write an activity and its deliveries in the current transaction (sent after commit).

    ``obj`` without an ``id`` gets one here (an HTTPS URI ending in a UUID, served
    at ``/federation/objects/<uuid>`` so any server may fetch it from its origin).
    ``to``: the peers it goes to; by default every active peer. ``supersede_key``:
    activities carrying the whole state of one thing share one, so an older one
    still waiting is not sent after a newer (it would set the state back).
    """
    if isinstance(obj, dict) and store_object and "id" not in obj:
        published = PublishedObject.objects.create(data={})
        obj = {**obj, "id": object_uri(published)}
        published.data = obj
        published.save(update_fields=["data"])
    activity_uuid = uuid.uuid4()
    data = {
        "@context": CONTEXT,
        "id": f"{site()}/federation/activities/{activity_uuid}",
        "type": activity_type,
        "actor": actor or keys.actor_id(),
        "object": obj,
        "published": timezone.now().isoformat(),
    }
    activity = Activity.objects.create(
        uuid=activity_uuid,
        type=activity_type,
        object_type=obj.get("type", "") if isinstance(obj, dict) else "",
        data=data,
        supersede_key=supersede_key[:600],
    )
    peers = list(to) if to is not None else list(Peer.objects.filter(status=Peer.Status.ACTIVE))
    Delivery.objects.bulk_create([Delivery(activity=activity, peer=peer) for peer in peers])
    if peers:
        once_after_commit(_deliver_soon)
    return activity


def _deliver_soon() -> None:
    try:
        from tribune.federation.tasks import deliver_queued

        deliver_queued()
    except Exception as error:  # the queue's store is down: the minute's run delivers
        logger.warning("Activity queued; the task queue was not reachable (%s)", error)


def delay_after(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: doubling, capped."""
    base = settings.TRIBUNE_FEDERATION_RETRY_SECONDS
    cap = settings.TRIBUNE_FEDERATION_RETRY_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def deliver(pk: int, session: requests.Session | None = None) -> str | None:
    """Claim and post one due delivery: "delivered", "retry", "failed", "refused", "stopped",
    "superseded" (a later activity with the same key carries it) or None (not ours)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=pk, status=Delivery.Status.QUEUED, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("peer", "activity").get(pk=pk)
    key = delivery.activity.supersede_key
    if key and (
        Delivery.objects.filter(
            peer=delivery.peer, activity__supersede_key=key, activity__pk__gt=delivery.activity_id
        )
        .exclude(status__in=ENDED)
        .exists()
    ):
        Delivery.objects.filter(pk=pk).update(status=Delivery.Status.SUPERSEDED, last_error="")
        return "superseded"
    if delivery.peer.status != Peer.Status.ACTIVE:
        Delivery.objects.filter(pk=pk).update(
            status=Delivery.Status.STOPPED, last_error="The link with this server is not active."
        )
        return "stopped"
    body = json.dumps(delivery.activity.data).encode()
    try:
        response = signatures.post(delivery.peer.inbox, body, session=session)
    except requests.RequestException as error:
        return _failed(delivery, f"{type(error).__name__}: no answer", retry=True)
    if 200 <= response.status_code < 300:
        Delivery.objects.filter(pk=pk).update(
            status=Delivery.Status.DELIVERED, delivered_at=timezone.now(), last_error=""
        )
        return "delivered"
    refusal = _refusal(response)
    if refusal is not None:
        return _refused(delivery, refusal)
    reason = f"{response.status_code}: {response.text[:300]}"
    retry = response.status_code >= 500 or response.status_code in (408, 429)
    return _failed(delivery, reason, retry=retry)


def _refusal(response: requests.Response) -> str | None:
    """The peer's reason when it refused the act itself (422 "refused"), else None."""
    if response.status_code != 422:
        return None
    try:
        answer = response.json()
    except ValueError:
        return None
    if not isinstance(answer, dict) or answer.get("error") != "refused":
        return None
    return str(answer.get("reason") or "")[:500]


def _refused(delivery: Delivery, reason: str) -> str:
    """Refused for good: marked so, and the acting app told, in one transaction."""
    with transaction.atomic():
        marked = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.REFUSED, last_error=reason
        )
        if marked:  # a second worker after a lease ran out finds it marked: told once
            act_refused.send(
                sender=Delivery, activity=delivery.activity.data, peer=delivery.peer, reason=reason
            )
    logger.warning("Delivery #%s to %s: refused", delivery.pk, delivery.peer.actor_id)
    return "refused"


def _failed(delivery: Delivery, reason: str, *, retry: bool) -> str:
    from tribune.ops.metrics import FEDERATION_FAILURES

    FEDERATION_FAILURES.inc()
    now = timezone.now()
    give_up_at = delivery.activity.created_at + timedelta(
        hours=settings.TRIBUNE_FEDERATION_GIVE_UP_HOURS
    )
    wait = delay_after(delivery.attempts)
    if retry and now + wait <= give_up_at:
        Delivery.objects.filter(pk=delivery.pk).update(
            last_error=reason[:500], next_attempt_at=now + wait
        )
        _schedule(wait)
        outcome = "retry"
    else:
        if retry:
            reason = f"Given up after {settings.TRIBUNE_FEDERATION_GIVE_UP_HOURS} hours. {reason}"
        with transaction.atomic():
            marked = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
                status=Delivery.Status.FAILED, last_error=reason[:500]
            )
            if marked:
                activity, peer = delivery.activity.data, delivery.peer
                act_failed.send(sender=Delivery, activity=activity, peer=peer)
        outcome = "failed"
    logger.warning(
        "Delivery #%s to %s: attempt %s, %s",
        delivery.pk,
        delivery.peer.actor_id,
        delivery.attempts,
        outcome,
    )
    return outcome


def _schedule(wait: timedelta) -> None:
    """The retry as a task in the queue's store (kept across restarts of the worker)."""
    try:
        from tribune.federation.tasks import deliver_queued

        deliver_queued.schedule(delay=wait.total_seconds() + 0.5)
    except Exception:  # the minute's run delivers it
        pass


def deliver_due(limit: int = 200, seconds: float = 50.0) -> dict:
    """Post what is due, oldest first, for at most about ``seconds``; one HTTP session."""
    counts = {"delivered": 0, "retry": 0, "failed": 0, "stopped": 0, "superseded": 0}
    started = time.monotonic()
    with requests.Session() as session:
        while time.monotonic() - started < seconds:
            ids = list(
                Delivery.objects.filter(
                    status=Delivery.Status.QUEUED, next_attempt_at__lte=timezone.now()
                )
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:limit]
            )
            if not ids:
                break
            counts["superseded"] += supersede(ids)
            for pk in ids:
                outcome = deliver(pk, session)
                if outcome:
                    counts[outcome] += 1
            if len(ids) < limit:
                break
    return counts


def supersede(ids: list[int]) -> int:
    """Mark, in one statement, those of ``ids`` that a later activity with their key carries.

    The same test ``deliver`` makes of each row, for a whole batch at once: while
    members pledge, most queued counts and states have a newer one behind them,
    and claiming then skipping each, two writes apiece, kept the worker (and on
    SQLite every writer waiting on it) busy with messages that are never sent.
    """
    newer = Delivery.objects.filter(
        peer=OuterRef("peer"),
        activity__supersede_key=OuterRef("activity__supersede_key"),
        activity__pk__gt=OuterRef("activity_id"),
    ).exclude(status__in=ENDED)
    return (
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED)
        .exclude(activity__supersede_key="")
        .filter(Exists(newer))
        .update(status=Delivery.Status.SUPERSEDED, last_error="")
    )


def stop_deliveries(peer: Peer) -> int:
    """A link revoked: nothing more goes to that server."""
    return Delivery.objects.filter(peer=peer, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.STOPPED, last_error="The link with this server was revoked."
    )


def retry_failed(peer: Peer | None = None) -> int:
    """Queue failed deliveries again (after an outage longer than the retries)."""
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED)
    if peer is not None:
        failed = failed.filter(peer=peer)
    count = failed.update(status=Delivery.Status.QUEUED, next_attempt_at=timezone.now())
    if count:
        once_after_commit(_deliver_soon)
    return count


def summary(peer: Peer | None = None) -> dict:
    """Deliveries by status (for the operator, /metrics and tests)."""
    rows = Delivery.objects.all() if peer is None else Delivery.objects.filter(peer=peer)
    counts = dict.fromkeys(Delivery.Status.values, 0)
    for row in rows.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts
