"""Periodic work: the backstop that delivers a fired concert pledge to its chapters.

Firing triggers each chapter on this server right after the commit; if the
process dies in between, this delivers it on the next tick (each chapter claimed
by a conditional update, each pledger told once). Nothing else here: a
coalition's expiry is computed from its end date when read. Hourly, the sizes
of this server's organisations in weighted networks decided elsewhere are reported
to those networks' home servers (``networks.report_sizes``).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tribune.networks import concert, networks


@db_periodic_task(crontab(minute="*"))
def networks_clock() -> int:
    return concert.deliver_all()


@db_periodic_task(crontab(minute="17"))
def network_sizes_clock() -> int:
    return networks.report_sizes()
