"""Pictures of a count, drawn on the server as SVG (no chart library, no script).

``stv_chart`` turns the stage table of a ranked count into the geometry of a
bar chart: for each candidate, one bar per stage (votes at the end of that
stage, the later stages darker), with the quota as a dashed line. The template
``elections/_stv_chart.html`` draws it; the stage table under it holds the same
figures for screen readers and for anyone who would rather read.
"""

from fractions import Fraction

WIDTH = 360  # the drawing's own units (about a phone's width); it scales to the page
LEFT = 4
BAR = 10  # height of one stage's bar
GAP = 2
NAME = 18  # room for the candidate's name above their bars
ROW_GAP = 10
VALUE_ROOM = 44  # room after the longest bar for its figure


def _number(value) -> Fraction:
    """A figure of the published result (an int, ``"12.5"`` or ``"37/3"``) as an exact value."""
    if value in ("", None):
        return Fraction(0)
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return Fraction(0)


def stv_chart(stage_table: dict | None, quota=None) -> dict | None:
    """The geometry of the chart of ``views._stage_table``; None when there is nothing to draw."""
    if not stage_table or not stage_table.get("rows"):
        return None
    stages = stage_table["stages"]
    count = len(stages)
    top = max(
        [_number(c["votes"]) for row in stage_table["rows"] for c in row["cells"]]
        + [_number(quota)]
    )
    if top <= 0:
        return None
    span = WIDTH - LEFT - VALUE_ROOM

    def x(value) -> float:
        return round(LEFT + float(_number(value) / top) * span, 1)

    rows, y = [], 0
    for row in stage_table["rows"]:
        bars = []
        for i, cell in enumerate(row["cells"]):
            if cell["votes"] in ("", None):
                continue  # no longer in the count
            top_y = y + NAME + i * (BAR + GAP)
            bars.append(
                {
                    "y": top_y,
                    "width": max(round(x(cell["votes"]) - LEFT, 1), 0.5),
                    "end": x(cell["votes"]) + 3,
                    "text_y": top_y + BAR - 1,
                    "votes": cell["votes"],
                    "stage": stages[i]["number"],
                    # Later stages darker: the eye follows the count downwards.
                    "opacity": round(0.35 + 0.65 * (i + 1) / count, 2),
                }
            )
        fate = next(
            (
                ("elected", stages[i]["number"])
                for i, c in enumerate(row["cells"])
                if c.get("elected")
            ),
            next(
                (
                    ("excluded", stages[i]["number"])
                    for i, c in enumerate(row["cells"])
                    if c.get("excluded")
                ),
                None,
            ),
        )
        rows.append({"name": row["name"], "name_y": y + NAME - 5, "bars": bars, "fate": fate})
        y += NAME + count * (BAR + GAP) + ROW_GAP
    return {
        "width": WIDTH,
        "height": y,
        "left": LEFT,
        "bar": BAR,
        "rows": rows,
        "quota_x": x(quota) if quota not in (None, "", 0) else None,
        "stages": count,
    }
