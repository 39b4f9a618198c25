"""The task worker's federation work: delivery at once and every minute, witnessing hourly."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tribune.federation import delivery, inbox, witness


@db_task()
def deliver_queued() -> dict:
    """Asked for after a transaction that published an activity commits, and for each retry."""
    return delivery.deliver_due()


@db_task()
def send_state_soon(label: str, uri: str, asked_at: str) -> int:
    """A home network, coalition or concert pledge changed: its state to every copy."""
    from tribune.federation.network_bridge import send_state_after

    return send_state_after(label, uri, asked_at)


@db_periodic_task(crontab(minute="*"))
def federation_clock() -> dict:
    """Whatever is due: retries, and deliveries whose request to the queue was lost."""
    counts = delivery.deliver_due()
    inbox.purge_nonces()
    return counts


@db_periodic_task(crontab(minute="41"))
def witness_clock() -> int:
    """Offer every organisation's latest audit checkpoint to every peer, hourly."""
    return witness.offer_checkpoints()
