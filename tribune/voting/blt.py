"""Reading and writing BLT ballot files.

Why hand-written: BLT is the interchange format of OpenSTV, Droop, eSTV and
the Electoral Reform Society; supporting it lets organisations and auditors
recount Tribune's elections with other software (and vice versa).  The
readers in those programs are tied to their own code, and their error
messages rarely point at the faulty line; ours always give the line number.

Dialect accepted (documented in ``docs/voting.md``)::

    # comment (anywhere; to the end of the line, outside quotes)
    4 2                 number of candidates, number of seats
    -2                  optional: withdrawn candidates, as negative numbers
    3 1 3 4 0           a ballot: multiplier, preferences (1-based), 0
    1 2 0
    0                   end of ballots
    "Ana"               one name per candidate, in order (quoted)
    "Ben"
    "Cai"
    "Dee"
    "Branch committee"  the title (quoted)

Several names may share a line.  Equal preferences (``1=2``) and skipped
preferences (``-``) are rejected.  A ballot with no preference counts as
empty (it is kept in ``dropped``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tribune.voting.ballots import BallotFileError, RankedProfile

__all__ = ["BallotFileError", "read_blt", "write_blt"]

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _strip_comment(line: str) -> str:
    """Remove a ``#`` comment that is not inside a quoted string."""
    in_quote = False
    escaped = False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
        elif ch == "\\" and in_quote:
            escaped = True
        elif ch == '"':
            in_quote = not in_quote
        elif ch == "#" and not in_quote:
            return line[:i]
    return line


def _split_lines(text: str) -> list[str]:
    """Split on newlines only (names may contain other Unicode line separators)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _int(token: str, line: int, what: str) -> int:
    if "=" in token:
        raise BallotFileError(f"equal preferences ({token!r}) are not supported", line)
    try:
        return int(token)
    except ValueError:
        raise BallotFileError(f"expected {what}, found {token!r}", line) from None


def _load(source: str | os.PathLike[str]) -> str:
    if isinstance(source, os.PathLike):
        path = Path(source)
    elif "\n" not in source and source.strip() and Path(source).is_file():
        path = Path(source)
    else:
        return source
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BallotFileError(f"{path} is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise BallotFileError(f"cannot read {path}: {exc.strerror}") from None


def read_blt(source: str | os.PathLike[str]) -> RankedProfile:
    """Parse a BLT file (a path, or the text itself) into a :class:`RankedProfile`.

    ``source`` is read as a file if it is a path object, or a one-line string
    naming an existing file; otherwise it is the BLT text.  Errors raise
    :class:`BallotFileError` with the 1-based line number.
    """
    text = _load(source)
    lines = [(i, _strip_comment(raw).strip()) for i, raw in enumerate(_split_lines(text), 1)]
    lines = [(i, s) for i, s in lines if s]
    if not lines:
        raise BallotFileError("empty file: expected a header line 'CANDIDATES SEATS'", 1)
    pos = 0
    header_line, header = lines[pos]
    tokens = header.split()
    if len(tokens) != 2:
        raise BallotFileError("the header must be two numbers: candidates and seats", header_line)
    n = _int(tokens[0], header_line, "the number of candidates")
    seats = _int(tokens[1], header_line, "the number of seats")
    if n < 1:
        raise BallotFileError("the number of candidates must be at least 1", header_line)
    if not 1 <= seats <= n:
        raise BallotFileError(f"the number of seats must be between 1 and {n}", header_line)
    pos += 1
    withdrawn: set[int] = set()
    if pos < len(lines) and lines[pos][1].startswith("-"):
        line_no, content = lines[pos]
        for token in content.split():
            value = _int(token, line_no, "a withdrawn candidate (a negative number)")
            if not -n <= value <= -1:
                raise BallotFileError(
                    f"withdrawn candidate {token} must be between -1 and -{n}", line_no
                )
            withdrawn.add(-value - 1)
        pos += 1
    ballots: list[tuple[tuple[int, ...], int]] = []
    ended = False
    while pos < len(lines):
        line_no, content = lines[pos]
        pos += 1
        if content.startswith('"'):
            raise BallotFileError("the ballots must end with a line holding a single 0", line_no)
        tokens = content.split()
        if tokens == ["0"]:
            ended = True
            break
        if tokens[0].startswith("("):
            raise BallotFileError("ballot identifiers '(id)' are not supported", line_no)
        weight = _int(tokens[0], line_no, "a ballot multiplier")
        if weight < 1:
            raise BallotFileError(
                f"the ballot multiplier must be at least 1, got {weight}", line_no
            )
        if tokens[-1] != "0":
            raise BallotFileError("a ballot line must end with 0", line_no)
        ranking: list[int] = []
        seen: set[int] = set()
        for token in tokens[1:-1]:
            if token == "-":
                raise BallotFileError("skipped preferences ('-') are not supported", line_no)
            value = _int(token, line_no, "a candidate number")
            if value == 0:
                raise BallotFileError("0 may only end a ballot", line_no)
            if not 1 <= value <= n:
                raise BallotFileError(f"candidate number {value} is not between 1 and {n}", line_no)
            if value in seen:
                raise BallotFileError(f"candidate {value} appears twice on the ballot", line_no)
            seen.add(value)
            ranking.append(value - 1)
        ballots.append((tuple(ranking), weight))
    if not ended:
        last = lines[-1][0]
        raise BallotFileError("missing the 0 line that ends the ballots", last)
    strings: list[tuple[int, str]] = []
    while pos < len(lines):
        line_no, content = lines[pos]
        pos += 1
        rest = content
        while rest:
            match = _STRING.match(rest)
            if not match:
                raise BallotFileError(
                    f"expected a quoted name or title, found {rest.split()[0]!r}", line_no
                )
            strings.append((line_no, match.group(1).replace('\\"', '"').replace("\\\\", "\\")))
            rest = rest[match.end() :].lstrip()
    if len(strings) < n:
        where = strings[-1][0] if strings else lines[-1][0]
        raise BallotFileError(f"expected {n} candidate names, found {len(strings)}", where)
    if len(strings) > n + 1:
        raise BallotFileError("unexpected text after the title", strings[n + 1][0])
    names = [s for _, s in strings[:n]]
    for index, (line_no, name) in enumerate(strings[:n]):
        if not name.strip():
            raise BallotFileError("a candidate name is empty", line_no)
        if name in names[:index]:
            raise BallotFileError(f"candidate name {name!r} is used twice", line_no)
    title = strings[n][1] if len(strings) > n else ""
    return RankedProfile(
        candidates=tuple(names),
        ballots=tuple(ballots),
        withdrawn=frozenset(withdrawn),
        title=title,
        seats=seats,
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_blt(profile: RankedProfile, seats: int | None = None) -> str:
    """Render ``profile`` as BLT text (ballots in the order held, not regrouped).

    ``seats`` defaults to ``profile.seats`` (or 1).  Empty ballots counted in
    ``profile.dropped`` are not written.
    """
    seats = seats if seats is not None else (profile.seats or 1)
    out = [f"{len(profile.candidates)} {seats}"]
    if profile.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(profile.withdrawn)))
    for ranking, weight in profile.ballots:
        out.append(" ".join([str(weight), *(str(c + 1) for c in ranking), "0"]))
    out.append("0")
    out.extend(_quote(name) for name in profile.candidates)
    out.append(_quote(profile.title))
    return "\n".join(out) + "\n"
