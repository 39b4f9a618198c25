"""Periodic work: pledge deadlines and follow-ups, event reminders, notice emails.

A pledge's trigger commits without its notices; ``tell_pledgers`` writes them
right after (the clock again, should that request be lost).

Nothing here decides a pledge's state: a missed deadline reads "failed" when
read, with or without this worker. The clock only writes the notices that are
due (each once: the notices' unique key and the pledges' conditional claims)
and queues their emails in the outbox (tribune/outbox), whose worker sends them.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tribune.struggles.services import events, notices, pledges


@db_task(retries=3, retry_delay=5)
def tell_pledgers(pledge_id: int) -> int:
    """Asked for once a pledge's trigger commits: every pledger's notice (each once)."""
    return pledges.tell_triggered(pledge_id)


@db_periodic_task(crontab(minute="*"))
def struggles_clock() -> dict:
    return {
        **pledges.clock(),
        "reminders": events.send_reminders(),
        "emailed": notices.send_pending(),
    }


@db_periodic_task(crontab(minute="0", hour="7"))
def struggles_digest() -> int:
    """The daily email of notices, for members who chose it."""
    return notices.send_digests()
