"""Line-based amendments and the consolidated text.

An amendment names a range of lines of the text it amends (1-based,
inclusive) and the lines to put there: a replacement, a deletion (no new
lines) or an insertion (an empty range *after* a line). Hand-written because
congress amendments are judged line by line, and generic diff/patch tools
guess at context instead of refusing conflicts: here, two adopted amendments
touching the same line — or an amendment to a line another one deleted —
are a conflict reported by name, never silently merged.

Members do not count lines: they quote (or select) a passage and type what
replaces it, and ``passage_change`` turns that into the line change underneath.

Pure Python, no Django: the assemblies app stores amendments and calls this.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass


class AmendmentConflict(ValueError):
    """Two amendments touch the same lines; the chair must decide (e.g. vote on one)."""

    def __init__(self, message: str, first: str, second: str):
        super().__init__(message)
        self.first, self.second = first, second


@dataclass(frozen=True)
class LineChange:
    """Replace lines ``start``..``end`` (1-based, inclusive) by ``new_lines``.

    An insertion after line ``n`` is ``start = n + 1, end = n`` (an empty range);
    ``n = 0`` inserts at the top.
    """

    label: str
    start: int
    end: int
    new_lines: tuple[str, ...]

    @classmethod
    def replace(cls, label: str, start: int, end: int, text: str) -> LineChange:
        return cls(label, start, end, tuple(text.splitlines()))

    @classmethod
    def delete(cls, label: str, start: int, end: int) -> LineChange:
        return cls(label, start, end, ())

    @classmethod
    def insert_after(cls, label: str, line: int, text: str) -> LineChange:
        return cls(label, line + 1, line, tuple(text.splitlines()))

    @property
    def is_insertion(self) -> bool:
        return self.end == self.start - 1

    def check(self, line_count: int) -> None:
        if self.start < 1 or self.end > line_count or self.end < self.start - 1:
            raise ValueError(
                f"{self.label}: lines {self.start}–{self.end} are not in a text of "
                f"{line_count} lines"
            )
        if self.is_insertion and not self.new_lines:
            raise ValueError(f"{self.label}: an insertion needs text")


def _overlap(a: LineChange, b: LineChange) -> bool:
    """True when both changes touch a common line (two insertions at one point also clash)."""
    if a.is_insertion and b.is_insertion:
        return a.start == b.start
    if a.is_insertion:
        return b.start < a.start <= b.end  # inserting inside a range the other rewrites
    if b.is_insertion:
        return a.start < b.start <= a.end
    return a.start <= b.end and b.start <= a.end


def conflicts(changes: list[LineChange]) -> list[tuple[str, str]]:
    """Every pair of changes that cannot both apply, by label."""
    found = []
    for i, a in enumerate(changes):
        for b in changes[i + 1 :]:
            if _overlap(a, b):
                found.append((a.label, b.label))
    return found


def consolidate(text: str, changes: list[LineChange]) -> str:
    """Apply every change to ``text`` (all refer to the original line numbers)."""
    lines = text.splitlines()
    for change in changes:
        change.check(len(lines))
    clash = conflicts(changes)
    if clash:
        first, second = clash[0]
        raise AmendmentConflict(f"{first} and {second} change the same lines", first, second)
    # Apply from the bottom up so earlier line numbers stay valid.
    for change in sorted(changes, key=lambda c: (c.start, not c.is_insertion), reverse=True):
        lines[change.start - 1 : change.end] = list(change.new_lines)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def rebase(change: LineChange, adopted: list[LineChange]) -> LineChange:
    """Renumber ``change`` (made against the original) for the text after ``adopted``.

    Refuses with AmendmentConflict when an adopted change touched its lines —
    including an amendment to a line that an adopted amendment deleted.
    """
    shift = 0
    for other in adopted:
        if _overlap(change, other):
            raise AmendmentConflict(
                f"{change.label} amends lines that {other.label} already changed",
                change.label,
                other.label,
            )
        if other.end < change.start or (other.is_insertion and other.start <= change.start):
            shift += len(other.new_lines) - (other.end - other.start + 1)
    return LineChange(change.label, change.start + shift, change.end + shift, change.new_lines)


class PassageError(ValueError):
    """A quoted passage that cannot name one place in the text: ``count`` is 0 or more than 1."""

    def __init__(self, message: str, count: int):
        super().__init__(message)
        self.count = count


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each line's content, as ``str.splitlines`` cuts the lines."""
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        content = line.splitlines()[0] if line.splitlines() else ""
        spans.append((offset, offset + len(content)))
        offset += len(line)
    return spans


def _line_of(spans: list[tuple[int, int]], position: int) -> int:
    """The 1-based line holding the character at ``position``."""
    for number, (_start, end) in enumerate(spans, start=1):
        if position < end or number == len(spans):
            return number
    return len(spans)  # pragma: no cover - spans is never empty here


def passage_change(label: str, text: str, passage: str, replacement: str) -> LineChange:
    """The line change that replaces the one occurrence of ``passage`` in ``text``.

    Members quote what they read (or select it in a browser), so the match
    ignores how whitespace runs and line breaks fall, and compares canonically
    composed Unicode (an "é" typed as e + accent is the same "é"). The lines
    the passage touches are rewritten with the words around it kept, so the
    line mechanics (conflicts, consolidation, rebasing) work unchanged.
    Refuses with PassageError a passage found nowhere or in more than one place.
    """
    text = unicodedata.normalize("NFC", text)
    words = unicodedata.normalize("NFC", passage).split()
    if not words:
        raise PassageError("no passage quoted", 0)
    if sum(map(len, words)) + len(words) - 1 > len(text):  # longer than the text: nowhere
        raise PassageError(f"{label}: the passage is longer than the text", 0)
    # A lookahead finds overlapping occurrences too ("a a" twice in "a a a").
    pattern = re.compile("(?=(" + r"\s+".join(re.escape(word) for word in words) + "))")
    found = [(m.start(1), m.end(1)) for m in pattern.finditer(text)]
    if len(found) != 1:
        raise PassageError(f"{label}: the passage occurs {len(found)} times", len(found))
    begin, end = found[0]
    spans = _line_spans(text)
    first, last = _line_of(spans, begin), _line_of(spans, end - 1)
    before = text[spans[first - 1][0] : begin]
    after = text[end : spans[last - 1][1]]
    new = unicodedata.normalize("NFC", replacement.replace("\r\n", "\n")).strip()
    if not new and before.endswith(" ") and after.startswith(" "):
        after = after[1:]  # deleting words between two spaces leaves one space
    return LineChange.replace(label, first, last, before + new + after)


def replaced_lines(text: str, start: int, end: int) -> str:
    """Lines ``start``..``end`` of ``text``, the ones a change rewrites (none: an insertion)."""
    return "\n".join(text.splitlines()[start - 1 : end])


def diff(old: str, new: str, old_label: str = "before", new_label: str = "after") -> str:
    """A unified diff for showing what a version changed."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_label,
            tofile=new_label,
        )
    )
