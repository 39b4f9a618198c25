"""Daily check of faction thresholds (a faction below it has the grace period to recover)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tribune.factions import services


@db_periodic_task(crontab(minute="7", hour="*"))
def faction_thresholds() -> int:
    return services.check_thresholds()
