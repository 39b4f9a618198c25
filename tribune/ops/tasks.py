"""The task worker's own periodic work: its heartbeat, the cache's housekeeping, the backup."""

import time

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, on_startup

from tribune.ops import backup, health, housekeeping


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Due at the start of every minute: how late it starts is the queue's lag."""
    now = time.time()
    health.beat(due=now - now % 60)


@on_startup()
def heartbeat_on_start() -> None:
    try:
        health.beat()
    except Exception:  # a database not yet migrated: the minute's beat will say
        pass


@db_periodic_task(crontab(minute="23"))
def forget_expired_cache() -> int:
    """Hourly: the database cache's expired entries go (it would keep them until full)."""
    return housekeeping.forget_expired_cache()


if settings.TRIBUNE_BACKUP_HOUR:

    @db_periodic_task(crontab(minute="17", hour=settings.TRIBUNE_BACKUP_HOUR))
    def nightly_backup() -> dict:
        """A backup in TRIBUNE_BACKUP_DIR, keeping the newest TRIBUNE_BACKUP_KEEP."""
        return backup.scheduled_backup()


__all__ = ["HUEY", "forget_expired_cache", "heartbeat", "heartbeat_on_start"]
