"""Periodic work: the clock that moves elections and keeps every office elected.

Runs every minute on the huey worker. Each step is idempotent, so a missed or
repeated tick does no harm.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tribune.constitution import services as constitution_services
from tribune.elections import amendments, services


@db_periodic_task(crontab(minute="*"))
def election_clock() -> dict:
    """Advance elections whose dates have come, lapse stale petitions, call due elections."""
    return {
        "advanced": services.advance_all(),
        "lapsed_petitions": services.lapse_petitions(),
        "structures_put_to_members": len(amendments.confirm_structures_in_time()),
        "structures_lapsed": constitution_services.lapse_provisional_structures(),
        "called": len(services.schedule_elections()),
    }
