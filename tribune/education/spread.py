"""How far education has spread: per branch, over time, with small counts suppressed.

For each branch: its members in good standing, the share of them who completed
each **core** course, how many may facilitate one, and whether the branch has
members but no one who can teach (the gap the organisation must close). Over
time: completions of each core course, month by month, cumulative.

Any count from 1 to 4 is shown as "fewer than 5" (``None``), and so is a share
computed from one, so that no one's education can be told from the numbers of a
small branch. The counts are five queries whatever the membership and the
number of courses (``bench/archive.py`` times them for 100,000 members), and
are kept until what they count changes.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _t

from tribune.education.models import Completion, Course
from tribune.lib import charts, figures
from tribune.members.models import Member, Standing

SMALLEST = 5


def suppress(count: int) -> int | None:
    """``count``, or None when it is from 1 to 4 (zero is told: it is the gap)."""
    return None if 0 < count < SMALLEST else count


def _share(done: int, of: int) -> int | None:
    if of == 0 or 0 < done < SMALLEST or of < SMALLEST:
        return None
    return round(100 * done / of)


# Per branch, from the completions' side: who may teach (``rules``: a member in good
# standing who completed any of the organisation's courses, or who wrote one) and who
# completed each core course. The inner query folds each member's completions (and
# courses written, with no course: writing is not completing) into one row, so each
# is looked up once by id; ``CROSS JOIN`` keeps that order on SQLite, whose planner
# otherwise walks all members and probes the completions for each.
_PER_BRANCH = """
    SELECT m.home_branch_id, COUNT(*){done}
    FROM (
        SELECT member_id{flags} FROM (
            SELECT member_id, course_id FROM education_completion
            WHERE course_id IN (SELECT id FROM education_course WHERE organisation_id = %s)
            UNION ALL
            SELECT member_id, NULL FROM {founders}
            WHERE course_id IN (SELECT id FROM education_course WHERE organisation_id = %s)
        ) u GROUP BY member_id
    ) t CROSS JOIN members_member m
    WHERE m.id = t.member_id AND m.organisation_id = %s AND m.standing = %s
    GROUP BY m.home_branch_id
"""


def _rows(sql: str, params: list) -> list[tuple]:
    """The rows of ``sql``; on PostgreSQL with nested loops off for its transaction.

    PostgreSQL cannot estimate how many members the inner query folds the
    completions into (it guesses 200), so it looked each of 30,000 up by index
    (0.23 s at 100,000 members); one hash join over the members is a quarter of that.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def dashboard(organisation) -> dict:
    """The spread per branch and over time, from counts kept until they change.

    The counts (``counts``) read every member and completion; they are cached
    until a member, completion, course or branch of the organisation changes
    (``lib.figures``), so a view reads the courses, the branches and the cache.
    """
    core = list(Course.objects.filter(organisation=organisation, core=True).order_by("title"))
    branches = list(organisation.branches.order_by("pk"))
    kept = figures.cached(
        organisation.pk,
        "education-spread:" + ",".join(str(c.pk) for c in core),
        lambda: counts(organisation, core),
    )
    members, teachers, done = kept["members"], kept["teachers"], kept["done"]
    rows = []
    for branch in branches:
        count = members.get(branch.pk, 0)
        can_teach = teachers.get(branch.pk, 0)
        rows.append(
            {
                "branch": branch,
                "members": suppress(count),
                "courses": [
                    {
                        "course": c,
                        "completed": suppress(done.get((branch.pk, c.pk), 0)),
                        "share": _share(done.get((branch.pk, c.pk), 0), count),
                    }
                    for c in core
                ],
                "facilitators": suppress(can_teach),
                "no_facilitator": count > 0 and can_teach == 0,
                "has_members": count > 0,
            }
        )
    return {
        "core": core,
        "branches": rows,
        "gaps": [r["branch"] for r in rows if r["no_facilitator"]],
        "over_time": _over_time(core, kept["over_time"]),
    }


def counts(organisation, core: list[Course]) -> dict:
    """The raw counts behind the dashboard: a fixed handful of queries whatever the membership.

    Completions are counted from the completions' side (``_PER_BRANCH``), each
    member looked up once by id: driven from 100,000 members, SQLite probed the
    completions three times per member (0.5 s). The members per branch are read
    from the ``member_spread`` index alone. Only numbers: they are what is cached.
    """
    good = Member.objects.filter(organisation=organisation, standing=Standing.GOOD)
    members = dict(good.values_list("home_branch").annotate(n=Count("pk")).order_by())
    sql = _PER_BRANCH.format(
        founders=Course.founders.through._meta.db_table,
        flags="".join(
            f", MAX(CASE WHEN course_id = %s THEN 1 ELSE 0 END) AS c{i}" for i in range(len(core))
        ),
        done="".join(f", SUM(t.c{i})" for i in range(len(core))),
    )
    params = [*(c.pk for c in core), *[organisation.pk] * 3, Standing.GOOD]
    teachers, done = {}, {}
    for branch_id, can_teach, *completed in _rows(sql, params):
        teachers[branch_id] = can_teach
        for c, n in zip(core, completed, strict=True):
            done[(branch_id, c.pk)] = n
    by_month = defaultdict(list)
    for course_id, month, n in (
        Completion.objects.filter(course__in=core)
        .annotate(month=charts.month_of("completed_at"))
        .values_list("course", "month")
        .annotate(n=Count("pk"))
        .order_by("course", "month")
    ):
        by_month[course_id].append((charts.month_label(month), n))
    return {"members": members, "teachers": teachers, "done": done, "over_time": dict(by_month)}


def _over_time(core: list[Course], by_month: dict[int, list]) -> list[dict]:
    """Per core course, cumulative completions at the end of each month (small ones suppressed)."""
    series = []
    for c in core:
        points, total = [], 0
        for month, n in by_month.get(c.pk, []):
            total += n
            points.append({"month": month, "completed": suppress(total)})
        series.append({"course": c, "points": points})
    return series


LABELLED = 6  # branches of one level drawn as named boxes; more: as small tiles
TILE = 18  # a tile's side (px), its gap included


def map_layout(rows: list[dict], width: int = 360) -> dict:
    """Boxes for the branch tree, one band per level, for the SVG picture of the spread.

    A level of a few branches is drawn as named boxes side by side; a level of
    many (the 480 local branches of a national union) as small tiles in rows,
    coloured the same and named in their tooltip, so the picture still shows
    where the gaps are on a phone's width.
    """
    by_id = {r["branch"].pk: r for r in rows}
    depth: dict[int, int] = {}

    def level(branch) -> int:
        if branch.pk not in depth:
            parent = by_id.get(branch.parent_id)
            depth[branch.pk] = 0 if parent is None else level(parent["branch"]) + 1
        return depth[branch.pk]

    levels: dict[int, list] = defaultdict(list)
    for r in rows:
        levels[level(r["branch"])].append(r)
    boxes, top, row_height = [], 0, 56
    # What a box says, looked up once per kind: a gettext call per branch adds up at 500.
    said = {
        "gap": _t("no facilitator"),
        None: _t("fewer than 5 can teach"),
        "empty": _t("no members"),
    }
    for d in sorted(levels):
        items = levels[d]
        if len(items) <= LABELLED:
            cell = width / len(items)
            places = [(i * cell, top, cell, row_height) for i in range(len(items))]
            top += row_height
        else:
            across = width // TILE
            places = [
                ((i % across) * TILE, top + (i // across) * TILE, TILE, TILE)
                for i in range(len(items))
            ]
            top += -(-len(items) // across) * TILE + 8
        for r, (x, y, w, h) in zip(items, places, strict=True):
            tone = "gap" if r["no_facilitator"] else ("teach" if r["has_members"] else "empty")
            status = said.get(r["facilitators"] if tone == "teach" else tone)
            if status is None:
                status = _t("%(n)s can teach") % {"n": r["facilitators"]}
                said[r["facilitators"]] = status
            boxes.append(
                {
                    "x": round(x + 2, 1),
                    "y": y + 2,
                    "w": round(w - 4, 1),
                    "h": h - (8 if h == row_height else 4),
                    "row": r,
                    "tone": tone,
                    "status": status,
                    "named": h == row_height,
                }
            )
    tiled = any(not b["named"] for b in boxes)
    return {"width": width, "height": top + 4, "boxes": boxes, "tiled": tiled}


def chart(series: list[dict]) -> dict | None:
    """The cumulative completions of each core course as lines over shared months.

    A course's figure carries forward through months without a completion; a
    suppressed figure (fewer than 5) is not drawn and its cell says so.
    """
    months = sorted({p["month"] for s in series for p in s["points"]})
    lines = []
    for s in series:
        by_month = {p["month"]: p["completed"] for p in s["points"]}
        values, now = [], None
        for month in months:
            now = by_month.get(month, now)
            values.append(now)
        lines.append({"name": s["course"].title, "values": values})
    return charts.line_chart(lines, months)
