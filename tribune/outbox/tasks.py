"""The task worker's mail: at once after a commit, every minute what is due, hourly the purge."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tribune.outbox import services


@db_task()
def deliver_queued() -> dict:
    """Asked for after a transaction that queued email commits."""
    return services.deliver_due()


@db_periodic_task(crontab(minute="*"))
def outbox_clock() -> dict:
    """Whatever is due: retries, and emails whose request to the queue was lost."""
    return services.deliver_due()


@db_periodic_task(crontab(minute="23"))
def outbox_purge() -> int:
    """Sent and failed emails go TRIBUNE_MAIL_KEEP_DAYS after their last attempt."""
    return services.purge()
