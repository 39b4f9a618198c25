"""Turnout over a vote's days: how many on the roll had voted by the end of each day.

Neither a ballot nor a mark on the roll has a time (``elections.models``), and
this must not give them one. So no cast writes here: the clock, at its first
tick of a new day, counts the marks on the roll and keeps that one figure for
the day that ended (``note``), and the count keeps the last day's (``close``).
An adversary holding the database finds a number per day, written in a
transaction of its own by the clock; nothing beside any ballot or any voter,
and no order that could follow casting order. Whether a member has voted is on
the roll already; when they voted is stored nowhere. Nothing of this goes to
the audit log.

A day whose first tick came late (the clock was down past ``LATE``) is left
unrecorded rather than credited with the next day's ballots; its row in the
table says so.
"""

from datetime import date, datetime, timedelta
from fractions import Fraction

from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.elections.models import Election, Kind, Status, TurnoutDay, VoterRoll
from tribune.lib import charts

# After this long into a new day, the roll's count includes too much of that day
# to stand for the day before.
LATE = timedelta(hours=1)
PUBLISHED = (Status.VOTING, Status.VOTING_CLOSED, Status.COUNTED, Status.CERTIFIED)


def _day(moment: datetime, election: Election) -> date:
    return timezone.localtime(moment, election.organisation.zone).date()


def _voted(election: Election) -> int:
    return VoterRoll.objects.filter(election=election, voted=True).count()


def note(election: Election, now: datetime) -> None:
    """At a clock tick while voting is open: keep the count for the day that just ended."""
    if election.kind == Kind.ASSEMBLY or election.status != Status.VOTING:
        return  # a vote in the hall lasts minutes; its progress is live on the projector
    local = timezone.localtime(now, election.organisation.zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = local.date() - timedelta(days=1)
    if local - midnight > LATE or yesterday < _day(election.voting_open_at, election):
        return
    if not TurnoutDay.objects.filter(election=election, day=yesterday).exists():
        TurnoutDay.objects.bulk_create(
            [TurnoutDay(election=election, day=yesterday, voted=_voted(election))],
            ignore_conflicts=True,  # two ticks at once: the first one's figure stands
        )


def close(election: Election) -> None:
    """At the count: the last day's figure, which is the whole turnout."""
    if election.kind == Kind.ASSEMBLY:
        return
    last = _day(election.voting_close_at - timedelta(microseconds=1), election)
    TurnoutDay.objects.update_or_create(
        election=election, day=last, defaults={"voted": _voted(election)}
    )


def days(election: Election) -> list[dict]:
    """Each day of the window so far: voted by its end, new that day, the share of the roll.

    ``voted`` is None for a day the clock did not record; while voting is open the
    current day is not told (its figure is kept when it ends).
    """
    if election.kind == Kind.ASSEMBLY or election.status not in PUBLISHED:
        return []
    first = _day(election.voting_open_at, election)
    if election.status == Status.VOTING:
        last = _day(timezone.now(), election) - timedelta(days=1)
    else:
        last = _day(election.voting_close_at - timedelta(microseconds=1), election)
    kept = dict(election.turnout_days.values_list("day", "voted"))
    size = election.electorate_size or 0
    rows, before, day = [], 0, first
    while day <= last:
        voted = kept.get(day)
        rows.append(
            {
                "day": day,
                "voted": voted,
                "new": None if voted is None else voted - before,
                "share": Fraction(voted, size) if voted is not None and size else None,
            }
        )
        before = voted if voted is not None else before
        day += timedelta(days=1)
    return rows


def chart(election: Election) -> dict | None:
    """The cumulative share of the roll that had voted, day by day, as a line (0 to 100%)."""
    rows = days(election)
    if not any(r["voted"] is not None for r in rows):
        return None
    percent = [None if r["share"] is None else r["share"] * 100 for r in rows]
    cells = [
        None if r["voted"] is None else f"{round(p or 0)}% ({r['voted']}, +{r['new']})"
        for r, p in zip(rows, percent, strict=True)
    ]
    return charts.line_chart(
        [{"name": _t("Voted by the end of the day"), "values": percent, "cells": cells}],
        [r["day"].isoformat() for r in rows],
        top=100,
    )
