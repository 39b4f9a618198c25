"""The shared chart geometry: lines over time and share bars fit their box and hide nothing told."""

import re
from fractions import Fraction

from django.template.loader import render_to_string
from django.utils import translation

from tribune.lib.charts import WIDTH, line_chart, share_bar


def test_a_line_spans_the_width_and_skips_what_is_not_told():
    chart = line_chart([{"name": "n", "values": [0, None, 10, 5]}], ["a", "b", "c", "d"])
    points = [tuple(map(float, p.split(","))) for p in chart["lines"][0]["points"].split()]
    assert len(points) == 3  # the None is not drawn
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert xs[0] == chart["left"] and xs[-1] == chart["right"] <= WIDTH
    assert ys[0] == chart["base"] and ys[1] == chart["top_y"]  # 0 on the axis, 10 at the top
    assert ys[2] == (chart["base"] + chart["top_y"]) / 2  # 5 half-way
    assert chart["scale"] == 10 and (chart["first"], chart["last"]) == ("a", "d")
    assert [r["cells"] for r in chart["table"]] == [[0], [None], [10], [5]]


def test_a_fixed_scale_and_a_single_point():
    chart = line_chart(
        [{"name": "%", "values": [Fraction(100, 3)], "cells": ["33%"]}], ["day"], top=100
    )
    x, y = map(float, chart["lines"][0]["points"].split(","))
    assert chart["left"] < x < chart["right"] and chart["scale"] == 100
    assert chart["table"] == [{"label": "day", "cells": ["33%"]}] and chart["last"] == ""


def test_nothing_to_draw():
    assert line_chart([{"name": "n", "values": [None, None]}], ["a", "b"]) is None
    assert line_chart([], []) is None


def test_share_bars_fill_their_whole_and_never_overflow():
    result = share_bar([("yes", 3), ("no", 1), ("abstain", 0)])
    yes, no, abstain = result["segments"]
    assert (yes["x"], yes["width"], no["x"], no["width"]) == (0, 270, 270, 90)
    assert abstain["width"] == 0 and result["whole"] == 4
    progress = share_bar([("cast", 12)], whole=40)["segments"][0]
    assert progress["width"] == 108 and progress["percent"] == 30
    over = share_bar([("cast", 5)], whole=4)["segments"][0]  # someone left after voting
    assert over["width"] == WIDTH and over["percent"] == 100
    assert share_bar([("cast", 0)], whole=0)["segments"][0]["width"] == 0


def test_the_line_template_draws_the_chart_and_its_table():
    chart = line_chart([{"name": "Members <b>", "values": [None, 6]}], ["2026-01", "2026-02"])
    page = render_to_string(
        "charts/_line.html",
        {"chart": chart, "id": "c", "title": "T", "caption": "C", "label_heading": "Month",
         "none_text": "fewer than 5"},
    )  # fmt: skip
    assert 'role="img"' in page and 'aria-labelledby="c-title"' in page
    assert "<td>fewer than 5</td>" in page and "<td>6</td>" in page
    assert "Members &lt;b&gt;" in page  # names are escaped


def svg_numbers(page: str) -> list[str]:
    """Every number the page's SVG drawing is placed by (coordinates, sizes, the view box)."""
    svg = page[page.index("<svg") : page.index("</svg>")]
    inside = svg[svg.index(">") :]  # the drawing's own width is "100%"
    placed = re.findall(r'\b(?:x|y|x1|x2|y1|y2|cx|cy|width|height|dx|dy)="([^"]*)"', inside)
    boxes = re.findall(r'viewBox="([^"]*)"', svg)
    points = re.findall(r'points="([^"]*)"', svg)
    return [
        *placed,
        *(n for box in boxes for n in box.split()),
        *(n for line in points for pair in line.split() for n in pair.split(",")),
    ]


def test_a_drawing_is_placed_by_dotted_numbers_in_every_language():
    """In Spanish 12.5 is written 12,5: in an SVG attribute that breaks the picture."""
    chart = line_chart([{"name": "n", "values": [1, 7, 3]}], ["a", "b", "c"])
    bar = share_bar([("yes", 1), ("no", 2)])
    with translation.override("es"):
        pages = [
            render_to_string(
                "charts/_line.html",
                {
                    "chart": chart,
                    "id": "c",
                    "title": "T",
                    "caption": "C",
                    "label_heading": "M",
                    "none_text": "-",
                },
            ),
            render_to_string("charts/_bar.html", {"bar": bar, "id": "b", "title": "T"}),
        ]
    for page in pages:
        numbers = svg_numbers(page)
        assert numbers and any("." in n for n in numbers)
        for n in numbers:
            float(n)  # "12,5" does not parse
