"""Pictures drawn on the server as SVG: the geometry of lines over time and of share bars.

No chart library and no script draw them: a function here turns figures into
coordinates, a template in ``templates/charts/`` draws them, and the page puts
the same figures in a table for screen readers and for anyone who would rather
read. Every chart is drawn in ``WIDTH`` units and scales to its box, so it fits
a 390 px phone. The STV count has a picture of its own (``elections.charts``);
everything drawn over time (education's spread, a vote's turnout, membership)
and every share of a whole (a live vote in the hall) is drawn from here, so the
pictures look alike and are tested once.
"""

from fractions import Fraction

from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast, Substr, TruncMonth

WIDTH = 360  # the drawing's own units (about a phone's width); it scales to the page
LINE_HEIGHT = 150
PAD_LEFT = 34  # room for the top figure of the scale
PAD_RIGHT = 8
PAD_TOP = 12
PAD_BOTTOM = 22  # room for the first and last label under the axis
SERIES = 3  # distinct line styles (tribune.css: .series-0 … .series-2), then they repeat


def month_of(field: str):
    """The month of a datetime column as an SQL expression (``YYYY-MM`` text on SQLite).

    TruncMonth on SQLite is a Python function called for every row (0.8 s for
    33,000 completions); there a stored UTC datetime's text begins with its month.
    ``month_label`` reads either kind of value.
    """
    if connection.vendor == "sqlite":
        return Substr(Cast(field, CharField()), 1, 7)
    return TruncMonth(field)


def month_label(value) -> str:
    """``YYYY-MM`` from what ``month_of`` gives back on either database."""
    if isinstance(value, str):
        return value[:7]
    return (value.date() if hasattr(value, "date") else value).isoformat()[:7]


def line_chart(series: list[dict], labels: list[str], *, top=None) -> dict | None:
    """The geometry of lines over time: one polyline per series, over shared ``labels``.

    ``series`` is ``[{"name": ..., "values": [...]}]``, each value aligned with
    ``labels`` (a day, a month), and optionally ``"cells"``, the same figures as
    the table should say them ("42% (21)"); a value of None is not drawn (not known yet, or
    too small to tell), so a line never shows what its table suppresses. ``top``
    fixes the scale (100 for a percentage); otherwise the largest value sets it.
    None when there is nothing to draw.
    """
    shown = [v for s in series for v in s["values"] if v is not None]
    if not labels or not shown:
        return None
    scale = Fraction(top) if top is not None else max(Fraction(max(shown)), Fraction(1))
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = LINE_HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(1, len(labels) - 1)
    base = LINE_HEIGHT - PAD_BOTTOM

    def x(i: int) -> float:
        # A single point stands in the middle rather than on the axis.
        return round(PAD_LEFT + (i * step if len(labels) > 1 else plot_w / 2), 1)

    def y(value) -> float:
        return round(base - float(Fraction(value) / scale) * plot_h, 1)

    lines = []
    for n, s in enumerate(series):
        points = [(x(i), y(v)) for i, v in enumerate(s["values"]) if v is not None]
        lines.append(
            {
                "name": s["name"],
                "points": " ".join(f"{px},{py}" for px, py in points),
                "dots": [{"x": px, "y": py} for px, py in points] if len(points) <= 40 else [],
                "style": n % SERIES,
            }
        )
    return {
        "width": WIDTH,
        "height": LINE_HEIGHT,
        "left": PAD_LEFT,
        "right": WIDTH - PAD_RIGHT,
        "top_y": PAD_TOP,
        "base": base,
        "scale": scale.numerator if scale.denominator == 1 else round(float(scale), 1),
        "first": labels[0],
        "last": labels[-1] if len(labels) > 1 else "",
        "label_y": LINE_HEIGHT - 6,
        "lines": lines,
        # The same figures as a table: a row per label, a cell per series (None: not told).
        "table": [
            {"label": label, "cells": [s.get("cells", s["values"])[i] for s in series]}
            for i, label in enumerate(labels)
        ],
    }


BAR_HEIGHT = 28


def share_bar(parts: list[tuple[str, int]], whole: int | None = None) -> dict:
    """The geometry of one bar split into parts, each as wide as its share of ``whole``.

    ``parts`` is ``[(key, count)]``; ``whole`` defaults to their sum (a result:
    yes, no and abstain fill the bar); given, the rest of the bar stays empty (a
    vote in progress: those who have voted out of those present). A part larger
    than what is left of the whole is cut at the bar's end.
    """
    total = whole if whole is not None else sum(count for _, count in parts)
    segments, at = [], 0.0
    for key, count in parts:
        share = min(Fraction(count, total), 1) if total else Fraction(0)
        width = round(min(float(share) * WIDTH, WIDTH - at), 1)
        segments.append(
            {
                "key": key,
                "count": count,
                "x": round(at, 1),
                "width": max(width, 0),
                "percent": round(100 * share),
            }
        )
        at += max(width, 0)
    return {"width": WIDTH, "height": BAR_HEIGHT, "segments": segments, "whole": total}
