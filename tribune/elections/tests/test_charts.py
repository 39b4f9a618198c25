"""The STV count drawn as SVG on the server, with its figures as a table."""

from tribune.elections.charts import WIDTH, stv_chart


def _table():
    return {
        "stages": [{"number": 1}, {"number": 2}],
        "rows": [
            {
                "name": "Ada",
                "cells": [
                    {"votes": 6, "transfer": "", "elected": True, "excluded": False},
                    {"votes": "5", "transfer": "-1", "elected": False, "excluded": False},
                ],
            },
            {
                "name": "Bo <b>",
                "cells": [
                    {"votes": "5/2", "transfer": "", "elected": False, "excluded": True},
                    {"votes": "", "transfer": "", "elected": False, "excluded": False},
                ],
            },
        ],
        "exhausted": [0, 0],
    }


def test_bars_are_proportional_and_fates_are_told():
    chart = stv_chart(_table(), quota="4.5")
    ada, bo = chart["rows"]
    assert [b["votes"] for b in ada["bars"]] == [6, "5"]
    assert ada["bars"][0]["width"] > ada["bars"][1]["width"]  # 6 votes, then 5
    assert ada["bars"][0]["width"] <= WIDTH
    assert ada["fate"] == ("elected", 1) and bo["fate"] == ("excluded", 1)
    assert len(bo["bars"]) == 1  # no bar once out of the count
    assert abs(bo["bars"][0]["width"] / ada["bars"][0]["width"] - 2.5 / 6) < 0.01
    assert 0 < chart["quota_x"] < ada["bars"][0]["end"]


def test_nothing_to_draw():
    assert stv_chart(None) is None
    assert stv_chart({"stages": [], "rows": []}) is None


def test_the_result_page_draws_the_chart_above_its_table(client, db):
    from django.template.loader import render_to_string

    page = render_to_string("elections/_stv_chart.html", {"chart": stv_chart(_table(), 4)})
    assert 'role="img"' in page and "<title" in page
    assert "Bo &lt;b&gt;" in page  # names are escaped
    assert "elected at stage 1" in page and "The table below gives the same figures" in page


def test_the_drawing_is_placed_by_dotted_numbers_and_tells_votes_in_the_language(db):
    from django.template.loader import render_to_string
    from django.utils import translation

    from tribune.lib.tests.test_charts import svg_numbers

    table = _table()
    table["rows"][0]["cells"][1]["votes"] = 5.5
    with translation.override("es"):
        page = render_to_string("elections/_stv_chart.html", {"chart": stv_chart(table, 4)})
    for n in svg_numbers(page):
        float(n)
    assert ">5,5</text>" in page  # what a reader reads is in their language
