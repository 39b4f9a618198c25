"""Line-based amendments and the consolidated text.

An amendment names a range of lines of the text it amends (1-based,
inclusive) and the lines to put there: a replacement, a deletion (no new
lines) or an insertion (an empty range *after* a line). Hand-written because
congress amendments are judged line by line, and generic diff/patch tools
guess at context instead of refusing conflicts: here, two adopted amendments
touching the same line — or an amendment to a line another one deleted —
are a conflict reported by name, never silently merged.

Pure Python, no Django: the assemblies app stores amendments and calls this.
"""

from __future__ import annotations

import difflib
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
