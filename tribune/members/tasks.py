"""Periodic work: hourly on the first of each month, keep the month that just ended.

Membership over time (``members.history``) keeps each finished month's figure
on its first read; the clock reads every organisation's and branch's history
after the month has settled, so that no page view pays for it. Hourly, because
a server's zone behind UTC ends its month hours after UTC's; once kept, a read is
three small queries.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tribune.members import history


@db_periodic_task(crontab(day="1", hour="*", minute="20"))
def membership_months_clock() -> int:
    return history.keep_all()
