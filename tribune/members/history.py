"""Membership over time: members in good standing at the end of each month.

Read from the record of standing (``StandingChange``): each change into good
standing adds one in its month, each change out of it (lapsed, suspended,
resigned) takes one away; a member admitted without a change on record (a CSV
import) counts from their admission until their first change. A member counts
in their current branch (moves between branches are not recorded).

These figures are as public as the member counts the branch and organisation
pages already show; any figure from 1 to 4 is told as "fewer than 5" (None),
as on the education dashboard (``education.spread.suppress``), so the lapse or
resignation of one person in a small branch cannot be read off the picture.

Finished months never change, so each one's figure is kept once
(``MonthlyStanding``), written by the first reader after the month ends (two
readers at once write the same figures; the second's are ignored), or by the
clock, hourly on the first of the month (``members.tasks``); only this
month is counted, as last month's figure plus this month's changes (three
queries; the last reads every member admitted this month, so the result is
cached until the organisation's members change, ``lib.figures``). The whole
record (two grouped queries over every member) is read once a month per
organisation and branch.

A kept month stays right because nothing writes the past: a change of standing
is dated when it is made (``StandingChange.at`` is ``auto_now_add``), and every
path that creates a member in good standing (founding, a CSV import) dates the
admission now. What does rewrite the past is a move between branches: the
member's whole history goes with them, so ``forget`` drops the kept months of
both branches (``services.update_profile``, a re-application, an import).
Anything that back-dates a change or an admission (a script, a test's
``update(at=...)``) must call ``forget`` with the earliest month it touched.
One narrow race is left: a reader that read the record just before a move
committed and writes its figures just after the move's ``forget`` keeps the
branches' old figures (until the next ``forget``); moves are rare and the
window is one read.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.education.spread import suppress
from tribune.lib import charts, figures
from tribune.members.models import Member, MonthlyStanding, Standing, StandingChange
from tribune.organisations.models import Organisation

MONTHS = 24  # the months shown; earlier ones still count towards the first figure
# A month is kept only this long after it ends: a change made in its last instant
# may still be committing when the first reader of the next month comes.
SETTLE = timedelta(minutes=10)


def _next(month: str) -> str:
    year, m = int(month[:4]), int(month[5:7])
    return f"{year + m // 12}-{m % 12 + 1:02d}"


def _previous(month: str) -> str:
    year, m = int(month[:4]), int(month[5:7])
    return f"{year - (m == 1)}-{(m - 2) % 12 + 1:02d}"


def _start(month: str) -> datetime:
    return datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=UTC)


def _deltas(organisation, branch, month: str | None = None) -> dict[str, int]:
    """Joins minus departures from good standing, by month; only ``month``'s if given."""
    delta: dict[str, int] = defaultdict(int)
    scope = {"organisation": organisation}
    if branch is not None:
        scope["home_branch"] = branch
    members = Member.objects.filter(**scope).alias(since=Coalesce("admitted_at", "applied_at"))
    changes = StandingChange.objects.filter(
        Q(to_standing=Standing.GOOD) | Q(from_standing=Standing.GOOD)
    ).exclude(from_standing=F("to_standing"))
    if month is None:
        changes = changes.filter(**{f"member__{k}": v for k, v in scope.items()})
    else:
        # A day either side: ``month_of`` may count months in the server's time zone.
        lo, hi = _start(month) - timedelta(days=1), _start(_next(month)) + timedelta(days=1)
        # Each change's member looked up by key: SQLite then reads this month's changes
        # by their date (joined, it read the organisation's every member first).
        changes = changes.filter(
            Exists(Member.objects.filter(pk=OuterRef("member_id"), **scope)),
            at__gte=lo,
            at__lt=hi,
        )
        members = members.filter(since__gte=lo, since__lt=hi)
    for label, joins, departures in (
        changes.annotate(month=charts.month_of("at"))
        .values_list("month")
        .annotate(
            joins=Count("pk", filter=Q(to_standing=Standing.GOOD)),
            departures=Count("pk", filter=Q(from_standing=Standing.GOOD)),
        )
        .order_by()
    ):
        delta[charts.month_label(label)] += joins - departures
    # Good before any change on record: counted from admission.
    first_from = StandingChange.objects.filter(member=OuterRef("pk")).order_by("at", "pk")
    implicit = members.annotate(
        start=Coalesce(Subquery(first_from.values("from_standing")[:1]), "standing")
    ).filter(start=Standing.GOOD)
    for label, n in (
        implicit.annotate(month=charts.month_of("since"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        delta[charts.month_label(label)] += n
    if month is not None:
        return {m: n for m, n in delta.items() if m == month}
    return delta


def by_month(organisation, branch=None, *, today: date | None = None) -> list[dict]:
    """``[{"month": "YYYY-MM", "members": n or None}]``, the last ``MONTHS`` months to now.

    Kept until the organisation's members change (``lib.figures``): this month's
    count reads every member admitted this month, all 100,000 after an import.
    """
    now = (today or timezone.now().date()).isoformat()[:7]
    return figures.cached(
        organisation.pk,
        f"standing-by-month:{branch.pk if branch else ''}:{now}",
        lambda: _by_month(organisation, branch, now),
    )


def _by_month(organisation, branch, now: str) -> list[dict]:
    window = [now]
    while len(window) < MONTHS:
        window.insert(0, _previous(window[0]))
    finished = window[:-1]
    kept = dict(
        MonthlyStanding.objects.filter(
            organisation=organisation, branch=branch, month__in=finished
        ).values_list("month", "members")
    )
    if len(kept) < len(finished):
        totals = _live(organisation, branch, now)
        _keep(organisation, branch, {m: totals.get(m) for m in finished if m not in kept})
    else:
        totals = {m: n for m, n in kept.items() if n is not None}
        this_month = _deltas(organisation, branch, now)
        if totals or this_month:
            totals[now] = totals.get(finished[-1], 0) + this_month.get(now, 0)
    return [{"month": m, "members": suppress(max(totals[m], 0))} for m in window if m in totals]


def _live(organisation, branch, now: str) -> dict[str, int]:
    """Every month's figure from the start of the record to ``now``, read from it all."""
    delta = _deltas(organisation, branch)
    totals: dict[str, int] = {}
    if not delta:
        return totals
    month, total = min(delta), 0
    while month <= now:
        total += delta.get(month, 0)
        totals[month] = total
        month = _next(month)
    return totals


def _ended(month: str) -> datetime:
    """When ``month`` is over both in UTC (SQLite's months) and in the server's time zone
    (PostgreSQL's: ``month_of`` truncates there)."""
    after = _next(month)
    local = datetime(int(after[:4]), int(after[5:7]), 1, tzinfo=timezone.get_current_timezone())
    return max(_start(after), local)


def _keep(organisation, branch, counts: dict[str, int | None]) -> None:
    """Keep the figures of months that ended (and settled) before now; None: no history yet."""
    settled = timezone.now() - SETTLE
    MonthlyStanding.objects.bulk_create(
        [
            MonthlyStanding(organisation=organisation, branch=branch, month=m, members=n)
            for m, n in counts.items()
            if _ended(m) <= settled
        ],
        ignore_conflicts=True,  # another reader kept them first: the same figures
    )


def keep_all() -> int:
    """The clock, early in a month: keep every organisation's and branch's finished months."""
    histories = 0
    now = timezone.now().date().isoformat()[:7]
    for organisation in Organisation.objects.all():
        for branch in [None, *organisation.branches.all()]:
            _by_month(organisation, branch, now)
            histories += 1
    return histories


def forget(organisation, branches: Iterable | None = None, *, since: str = "") -> None:
    """Drop kept months from ``since`` (``YYYY-MM``; all by default) after the past changed.

    ``branches``: the branches whose history changed (the organisation's own
    figures stay); None: the organisation's and every branch's.
    """
    kept = MonthlyStanding.objects.filter(organisation=organisation, month__gte=since)
    if branches is not None:
        kept = kept.filter(branch__in=[b for b in branches if b is not None])
    kept.delete()
    figures.changed(organisation.pk)


def chart(organisation, branch=None) -> dict | None:
    """The members in good standing at the end of each month, as a line (small ones not drawn)."""
    rows = by_month(organisation, branch)
    return charts.line_chart(
        [
            {
                "name": _t("Members in good standing"),
                "values": [r["members"] for r in rows],
            }
        ],
        [r["month"] for r in rows],
    )
