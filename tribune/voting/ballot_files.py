"""Reading ballot files for every method: BLT, CSV and JSON.

Why hand-written: the CLI and the web app's import must turn a file into a
profile with errors that name the line at fault (a returning officer fixing
a spreadsheet export needs to know *where* it is wrong).  Formats are
documented in ``docs/voting.md``:

* BLT (ranked ballots) -- see ``blt.py``.
* CSV: a header row of candidate names, optionally led by a ``weight``
  column; one row per ballot.  Approval/plurality cells: ``1``/``x``/``X``
  marks a candidate, ``0`` or blank does not.  Score cells: an integer
  ``0..max_score`` (blank = 0).
* JSON: ``{"candidates": [...], "title": "...", "max_score": 5,
  "ballots": [{"weight": 2, "approve": [...]} | {"scores": {...}} |
  {"choice": "..."} | {"ranking": [...]}]}``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any, Literal

from tribune.voting.ballots import (
    ApprovalProfile,
    BallotFileError,
    ChoiceProfile,
    RankedProfile,
    ScoreProfile,
)
from tribune.voting.blt import read_blt

Kind = Literal["ranked", "choice", "approval", "score"]
Format = Literal["blt", "csv", "json"]

_MARKED = {"1", "x", "X"}
_UNMARKED = {"", "0"}
_BLT_HEADER = re.compile(r"^\s*\d+\s+\d+\s*(#.*)?$")


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a ballot file as UTF-8 text, raising :class:`BallotFileError` on failure."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BallotFileError(f"{p} is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise BallotFileError(f"cannot read {p}: {exc.strerror}") from None


def detect_format(path: str | os.PathLike[str], text: str) -> Format:
    """Guess the format from the file extension, else from the content."""
    suffix = Path(path).suffix.lower()
    if suffix in (".blt", ".csv", ".json"):
        return suffix[1:]  # type: ignore[return-value]
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "json"
    for line in text.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            return "blt" if _BLT_HEADER.match(line) else "csv"
    return "csv"


def _ballot_lines(text: str) -> list[int]:
    """Line numbers of the elements of the top-level ``"ballots"`` array."""
    decoder = json.JSONDecoder()
    match = re.search(r'"ballots"\s*:\s*\[', text)
    if not match:
        return []
    pos = match.end()
    lines: list[int] = []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return lines


def _weight(value: Any, fail: Any) -> int:
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        fail(f"weight must be an integer >= 1, got {value!r}")
    return value


def read_json(text: str, kind: Kind) -> Any:
    """Parse a JSON ballot file into the profile for ``kind``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BallotFileError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise BallotFileError("the JSON file must hold an object", 1)
    names = data.get("candidates")
    if not isinstance(names, list) or not names or not all(isinstance(x, str) for x in names):
        line = _key_line(text, "candidates")
        raise BallotFileError('"candidates" must be a non-empty list of names', line)
    if len(set(names)) != len(names):
        raise BallotFileError("candidate names must be distinct", _key_line(text, "candidates"))
    index = {name: i for i, name in enumerate(names)}
    title = data.get("title", "")
    if not isinstance(title, str):
        raise BallotFileError('"title" must be a string', _key_line(text, "title"))
    ballots = data.get("ballots")
    if not isinstance(ballots, list):
        raise BallotFileError('"ballots" must be a list', _key_line(text, "ballots"))
    max_score = data.get("max_score", 5)
    if kind == "score" and (
        isinstance(max_score, bool) or not isinstance(max_score, int) or max_score < 1
    ):
        raise BallotFileError('"max_score" must be an integer >= 1', _key_line(text, "max_score"))
    line_cache: list[int] | None = None

    def fail_at(number: int) -> Any:
        def fail(message: str) -> None:
            nonlocal line_cache
            if line_cache is None:
                line_cache = _ballot_lines(text)
            line = line_cache[number] if number < len(line_cache) else None
            raise BallotFileError(f"ballot {number + 1}: {message}", line)

        return fail

    def candidate(name: Any, fail: Any) -> int:
        if not isinstance(name, str) or name not in index:
            fail(f"unknown candidate {name!r}")
        return index[name]

    key = {"ranked": "ranking", "choice": "choice", "approval": "approve", "score": "scores"}[kind]
    parsed: list[tuple[Any, int]] = []
    dropped = 0
    for number, ballot in enumerate(ballots):
        fail = fail_at(number)
        if not isinstance(ballot, dict):
            fail("each ballot must be an object")
        if key not in ballot:
            fail(f'expected a "{key}" entry for this method')
        weight = _weight(ballot.get("weight"), fail)
        value = ballot[key]
        if kind == "ranked":
            if not isinstance(value, list):
                fail('"ranking" must be a list of names')
            ranking = tuple(candidate(v, fail) for v in value)
            if len(set(ranking)) != len(ranking):
                fail("a candidate is ranked twice")
            parsed.append((ranking, weight))
        elif kind == "choice":
            if value is None:
                dropped += weight
                continue
            parsed.append((candidate(value, fail), weight))
        elif kind == "approval":
            if not isinstance(value, list):
                fail('"approve" must be a list of names')
            parsed.append((frozenset(candidate(v, fail) for v in value), weight))
        else:
            if not isinstance(value, dict):
                fail('"scores" must be an object mapping names to scores')
            scores = [0] * len(names)
            for name, s in value.items():
                c = candidate(name, fail)
                if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= max_score:
                    fail(f"score for {name!r} must be an integer 0..{max_score}, got {s!r}")
                scores[c] = s
            parsed.append((tuple(scores), weight))
    if kind == "ranked":
        return RankedProfile(tuple(names), tuple(parsed), title=title)
    if kind == "choice":
        return ChoiceProfile(tuple(names), tuple(parsed), title=title, dropped=dropped)
    if kind == "approval":
        return ApprovalProfile(tuple(names), tuple(parsed), title=title)
    return ScoreProfile(tuple(names), tuple(parsed), max_score, title=title)


def _key_line(text: str, key: str) -> int | None:
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def read_csv(text: str, kind: Kind, *, max_score: int = 5) -> Any:
    """Parse a CSV ballot file (one row per ballot) into the profile for ``kind``."""
    if kind == "ranked":
        raise BallotFileError("ranked ballots must be given as a BLT or JSON file", 1)
    rows = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    parsed: list[tuple[Any, int]] = []
    dropped = 0
    try:
        for row in rows:
            line = rows.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # an empty line (a row of blank cells is a blank ballot)
            if row[0].lstrip().startswith("#"):
                continue
            cells = [cell.strip() for cell in row]
            if header is None:
                header = cells
                has_weight = header[0].lower() == "weight"
                names = header[1:] if has_weight else header
                if not names or any(not n for n in names):
                    raise BallotFileError("the header must name every candidate", line)
                if len(set(names)) != len(names):
                    raise BallotFileError("candidate names in the header must be distinct", line)
                continue
            if len(cells) != len(header):
                raise BallotFileError(
                    f"expected {len(header)} columns like the header, found {len(cells)}", line
                )
            weight = 1
            if has_weight:
                try:
                    weight = int(cells[0])
                except ValueError:
                    raise BallotFileError(
                        f"weight must be an integer, got {cells[0]!r}", line
                    ) from None
                if weight < 1:
                    raise BallotFileError(f"weight must be at least 1, got {weight}", line)
                cells = cells[1:]
            if kind == "score":
                scores = []
                for name, cell in zip(names, cells, strict=True):
                    try:
                        s = int(cell) if cell else 0
                    except ValueError:
                        s = -1
                    if not 0 <= s <= max_score:
                        raise BallotFileError(
                            f"score for {name!r} must be an integer 0..{max_score}, got {cell!r}",
                            line,
                        )
                    scores.append(s)
                parsed.append((tuple(scores), weight))
                continue
            marked = []
            for c, (name, cell) in enumerate(zip(names, cells, strict=True)):
                if cell in _MARKED:
                    marked.append(c)
                elif cell not in _UNMARKED:
                    raise BallotFileError(
                        f"cell for {name!r} must be 1, x or blank, got {cell!r}", line
                    )
            if kind == "approval":
                parsed.append((frozenset(marked), weight))
            elif len(marked) == 1:
                parsed.append((marked[0], weight))
            else:
                dropped += weight  # blank or over-voted: invalid for plurality
    except csv.Error as exc:
        raise BallotFileError(f"malformed CSV: {exc}", rows.line_num) from None
    if header is None:
        raise BallotFileError("empty file: expected a header row of candidate names", 1)
    if kind == "score":
        return ScoreProfile(tuple(names), tuple(parsed), max_score)
    if kind == "approval":
        return ApprovalProfile(tuple(names), tuple(parsed))
    return ChoiceProfile(tuple(names), tuple(parsed), dropped=dropped)


def read_ballots(
    path: str | os.PathLike[str], kind: Kind, *, max_score: int = 5, text: str | None = None
) -> Any:
    """Read ``path`` (BLT, CSV or JSON) as the profile ``kind`` a method needs.

    ``kind`` is ``"ranked"`` (BLT or JSON), ``"choice"`` (plurality: BLT, CSV
    or JSON), ``"approval"`` or ``"score"`` (CSV or JSON).
    """
    if text is None:
        text = read_text(path)
    fmt = detect_format(path, text)
    if fmt == "blt":
        if kind not in ("ranked", "choice"):
            raise BallotFileError(f"{kind} ballots cannot be read from a BLT file; use CSV or JSON")
        return read_blt(text)
    if fmt == "json":
        return read_json(text, kind)
    return read_csv(text, kind, max_score=max_score)
