"""Periodic work: pledge deadlines and follow-ups, event reminders, notice emails.

Nothing here decides a pledge's state: a missed deadline reads "failed" when
read, with or without this worker. The clock only writes the notices that are
due (each once: the notices' unique key and the pledges' conditional claims)
and queues their emails in the outbox (tribune/outbox), whose worker sends them.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tribune.struggles.services import events, notices, pledges


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
