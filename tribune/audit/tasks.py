"""Periodic work: keep issuing signed checkpoints of every organisation's audit chain.

Every ten minutes on the huey worker, for each organisation whose chain moved
since its last checkpoint. Idempotent: a repeated tick issues nothing new.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tribune.audit import checkpoints


@db_periodic_task(crontab(minute="*/10"))
def checkpoint_clock() -> dict:
    """Sign the current head of every chain that moved since its last checkpoint."""
    return {"issued": checkpoints.issue_all()}
