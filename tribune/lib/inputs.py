"""What every value from outside must be before Tribune stores or uses it.

One set of limits for every door — web forms, the API, spreadsheet imports, the
demo — so that a value one door refuses is not stored through another, and so
that SQLite and PostgreSQL accept exactly the same values. (SQLite happily keeps
a NUL byte, a 10^12 in an integer column or 100,000 characters in a 300-character
column, and fails only on a lone surrogate; PostgreSQL refuses all four, as a
server error. Neither is acceptable: the first lets bad data in, the second
answers a member with a 500.)

The rules:

* **text** has no NUL or other control character but tab and line breaks, no
  lone surrogate (it cannot be written as UTF-8) and no Unicode non-character;
  it is no longer than its model field (how long free text may be is each
  action's rule: a debate post, a platform and a spreadsheet differ); and a
  name or title (a single-line field) that is not empty shows at least one
  visible character — a name made of zero-width spaces or Hangul fillers reads
  as blank and impersonates nobody in particular.
* **whole numbers** fit their column, with PostgreSQL's ranges on both backends;
  an id beyond any primary key is simply not found.
* **moments** lie between the years 1000 and 2999: Tribune adds terms and
  schedules to dates, and year 9999 plus a term overflows.

They are enforced in two places that share the functions below:

* every model save (``check_instance``, connected in ``tribune.lib.apps``) — the
  net under every write. It raises ``RuleViolation`` naming the field, which the
  web forms show through ``attempt`` and the API answers with 400, and since
  actions write in a transaction nothing is half written;
* the API's input types (``tribune.api.types``), which refuse with 422 at the
  door the values that are *used* before anything is stored: ids looked up,
  offsets, dates computed with, numbers in a ballot.
"""

import math
import re
import unicodedata
from datetime import date, datetime
from functools import cache

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _t

from tribune.lib.errors import NotFound, RuleViolation

# The largest primary key there can be (a 64-bit column): a larger id names nothing.
MAX_ID = 2**63 - 1
# Offsets and counts asked for in a query: beyond this they name nothing either.
MAX_OFFSET = 2**31 - 1
# Seats of one body or election: more than any assembly of delegates, and small
# enough that apportioning or counting them is quick.
MAX_SEATS = 1000
EARLIEST = date(1000, 1, 1)
LATEST = date(2999, 12, 31)

# NUL and the C0 controls but tab, line feed and carriage return; DEL; lone
# surrogates; the non-characters U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)
# Letters that render as nothing: the Hangul fillers, the braille blank, the Mongolian separator.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# Unicode categories that show nothing on their own: format characters (zero-width
# space and joiners, direction marks), separators and combining marks.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"})


def text_problem(
    value: str, *, one_line: bool = False, max_length: int | None = None
) -> str | None:
    """Why this text cannot be stored, or None when it can."""
    bad = _FORBIDDEN.search(value)
    if bad:
        return _t("Remove the invalid character at position %(n)s.") % {"n": bad.start() + 1}
    if max_length is not None and len(value) > max_length:
        return _t("At most %(limit)s characters, please; this has %(n)s.") % {
            "limit": f"{max_length:,}",
            "n": f"{len(value):,}",
        }
    if one_line and value and not has_visible_character(value):
        return _t("Use at least one visible character.")
    return None


def has_visible_character(value: str) -> bool:
    return any(
        c not in _BLANK_LETTERS and unicodedata.category(c) not in _INVISIBLE_CATEGORIES
        for c in value
    )


def clean_text(
    value: str, *, field: str, max_length: int | None = None, one_line: bool = False
) -> str:
    """The text, or RuleViolation naming the field: for actions whose text is not stored as is."""
    problem = text_problem(value, one_line=one_line, max_length=max_length)
    if problem:
        raise RuleViolation(problem, field)
    return value


def check_whole_number(value: int, *, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise RuleViolation(
            _t("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}, field
        )
    return value


def check_moment(value: date | datetime | None, *, field: str) -> None:
    """Refuse a date outside the years Tribune can compute with (None is no date)."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise RuleViolation(
            _t("Give a date between the years %(first)s and %(last)s.")
            % {"first": EARLIEST.year, "last": LATEST.year},
            field,
        )


def object_id(raw: object, *, field: str = "__all__") -> int:
    """An id from a form or URL as a number, or NotFound (404): ``abc`` names no object."""
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        raise NotFound(_t("Not found."), field)
    return int(text)


class IdConverter:
    """A path segment that can be an id: at most 18 digits, so always below ``MAX_ID``.

    Django's ``int`` converter takes any number of digits, and a 30-digit id
    then reaches SQLite as an ``OverflowError`` (a 500) instead of "not found".
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


# --- the net under every save ------------------------------------------------------------

_RANGES = BaseDatabaseOperations.integer_field_ranges


@cache
def _checks_for(model: type[models.Model]) -> tuple:
    """(attname, kind, limits) for every field of a model that takes outside values."""
    checks = []
    for field in model._meta.concrete_fields:
        if field.choices or field.primary_key or field.is_relation:
            continue
        if isinstance(field, models.CharField | models.TextField):
            one_line = isinstance(field, models.CharField)
            checks.append((field.attname, "text", (field.max_length, one_line)))
        elif isinstance(field, models.IntegerField):
            low, high = _RANGES.get(field.get_internal_type(), (-MAX_ID - 1, MAX_ID))
            checks.append((field.attname, "int", (low, high)))
        elif isinstance(field, models.DateField):  # and DateTimeField
            checks.append((field.attname, "moment", None))
        elif isinstance(field, models.JSONField):
            checks.append((field.attname, "json", None))
    return tuple(checks)


def check_instance(instance: models.Model) -> None:
    """Refuse to store a value that breaks the rules above, naming its field."""
    for attname, kind, limits in _checks_for(type(instance)):
        value = getattr(instance, attname)
        if value is None or isinstance(value, models.expressions.Combinable):
            continue
        if kind == "text" and isinstance(value, str):
            max_length, one_line = limits
            clean_text(value, field=attname, max_length=max_length, one_line=one_line)
        elif kind == "int" and isinstance(value, int):
            check_whole_number(value, field=attname, low=limits[0], high=limits[1])
        elif kind == "moment" and isinstance(value, date):
            check_moment(value, field=attname)
        elif kind == "json":
            check_json(value, field=attname)


def check_json(value: object, *, field: str, depth: int = 0) -> None:
    """Structured data holds only storable text and finite numbers (JSON has no Infinity)."""
    if depth > 32:
        raise RuleViolation(_t("Nested too deeply."), field)
    if isinstance(value, str):
        clean_text(value, field=field)
    elif isinstance(value, float) and not math.isfinite(value):
        raise RuleViolation(_t("Give a finite number."), field)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
        raise RuleViolation(_t("This number is too large."), field)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_json(key, field=field, depth=depth + 1)
            check_json(item, field=field, depth=depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            check_json(item, field=field, depth=depth + 1)
