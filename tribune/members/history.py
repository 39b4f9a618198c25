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
The whole history is three grouped queries whatever the membership.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.education.spread import suppress
from tribune.lib import charts
from tribune.members.models import Member, Standing, StandingChange

MONTHS = 24  # the months shown; earlier ones still count towards the first figure


def _next(month: str) -> str:
    year, m = int(month[:4]), int(month[5:7])
    return f"{year + m // 12}-{m % 12 + 1:02d}"


def _deltas(members) -> dict[str, int]:
    """Joins minus departures from good standing, by month, for ``members`` (a queryset)."""
    delta: dict[str, int] = defaultdict(int)
    changes = StandingChange.objects.filter(member__in=members).exclude(
        from_standing=F("to_standing")
    )
    for direction, sign in (
        (Q(to_standing=Standing.GOOD), 1),
        (Q(from_standing=Standing.GOOD), -1),
    ):
        for month, n in (
            changes.filter(direction)
            .annotate(month=charts.month_of("at"))
            .values_list("month")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            delta[charts.month_label(month)] += sign * n
    # Good before any change on record: counted from admission.
    first_from = StandingChange.objects.filter(member=OuterRef("pk")).order_by("at", "pk")
    implicit = members.annotate(
        start=Coalesce(Subquery(first_from.values("from_standing")[:1]), "standing"),
        since=Coalesce("admitted_at", "applied_at"),
    ).filter(start=Standing.GOOD)
    for month, n in (
        implicit.annotate(month=charts.month_of("since"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        delta[charts.month_label(month)] += n
    return delta


def by_month(organisation, branch=None, *, today: date | None = None) -> list[dict]:
    """``[{"month": "YYYY-MM", "members": n or None}]``, the last ``MONTHS`` months to now."""
    members = Member.objects.filter(organisation=organisation)
    if branch is not None:
        members = members.filter(home_branch=branch)
    delta = _deltas(members)
    if not delta:
        return []
    now = (today or timezone.now().date()).isoformat()[:7]
    month, total, rows = min(delta), 0, []
    while month <= now:
        total += delta.get(month, 0)
        rows.append({"month": month, "members": suppress(max(total, 0))})
        month = _next(month)
    return rows[-MONTHS:]


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
