"""Results of a count: who won, and a stage-by-stage record that explains why.

Why hand-written: a returning officer must be able to publish, and any member
must be able to check, every stage of a count -- each candidate's votes,
transfers, non-transferable votes, who was elected or excluded and why, and
how every tie was broken.  Values stay exact (``int`` or ``Fraction``); only
``to_dict`` turns them into strings, and it does so without rounding.

Lots are drawn through :class:`Lot`, which draws a seed from ``secrets`` only
when a lot is really needed and none was given, so every result that used
chance reports the seed that reproduces it.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

__all__ = ["Lot", "Result", "Stage", "Tie", "format_number", "json_number"]

Number = Fraction | int


def format_number(value: Number) -> str:
    """Render an exact value: a finite decimal if one exists, else ``"p/q"``.

    ``Fraction(1, 4)`` -> ``"0.25"``; ``Fraction(1, 3)`` -> ``"1/3"``; ``5`` -> ``"5"``.
    """
    if isinstance(value, bool):
        raise TypeError("booleans are not vote values")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, Fraction):
        raise TypeError(f"expected int or Fraction, got {type(value).__name__}")
    num, den = value.numerator, value.denominator
    if den == 1:
        return str(num)
    twos = fives = 0
    d = den
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return f"{num}/{den}"
    places = max(twos, fives)
    scaled = abs(num) * (10**places) // den
    sign = "-" if num < 0 else ""
    digits = str(scaled).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def json_number(value: Number) -> int | str:
    """JSON form of a vote value: integers stay integers, fractions become strings."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return format_number(value)


@dataclass
class Stage:
    """One stage (round) of a count; ``votes`` are totals at the END of the stage."""

    number: int
    action: str
    votes: dict[str, Number]
    exhausted: Number = 0
    transfers: dict[str, Number] = field(default_factory=dict)
    elected: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "action": self.action,
            "votes": {k: json_number(v) for k, v in self.votes.items()},
            "exhausted": json_number(self.exhausted),
            "transfers": {k: json_number(v) for k, v in self.transfers.items()},
            "elected": list(self.elected),
            "excluded": list(self.excluded),
            "note": self.note,
        }


@dataclass
class Tie:
    """A tie met during the count and how it was resolved."""

    stage: int
    candidates: list[str]
    purpose: str
    resolved_by: str
    chosen: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "candidates": list(self.candidates),
            "purpose": self.purpose,
            "resolved_by": self.resolved_by,
            "chosen": self.chosen,
        }


def _json_value(value: Any) -> Any:
    if isinstance(value, Fraction):
        return format_number(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [_json_value(v) for v in items]
    return value


@dataclass
class Result:
    """Outcome of a count.  ``elected`` is in order of election."""

    method: str
    seats: int
    elected: list[str]
    ranking: list[str] | None = None
    quota: Number | None = None
    stages: list[Stage] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    seed: int | None = None
    valid_ballots: int = 0
    invalid_ballots: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (schema in ``docs/voting.md``)."""
        return {
            "method": self.method,
            "seats": self.seats,
            "elected": list(self.elected),
            "ranking": list(self.ranking) if self.ranking is not None else None,
            "quota": json_number(self.quota) if self.quota is not None else None,
            "valid_ballots": self.valid_ballots,
            "invalid_ballots": self.invalid_ballots,
            "seed": self.seed,
            "parameters": _json_value(self.parameters),
            "ties": [t.to_dict() for t in self.ties],
            "stages": [s.to_dict() for s in self.stages],
        }

    def to_text(self) -> str:
        """A readable report: header, a stage table and the ties."""
        return render_text(self)


class Lot:
    """Drawing of lots, reproducible from a seed.

    If ``seed`` is ``None`` a seed is drawn from ``secrets`` the first time a
    lot is needed; ``seed`` then holds it so the result can report it.  Each
    draw shuffles the tied candidates (sorted by index first, so the draw only
    depends on the seed and the order of draws) and takes the first.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._rng: random.Random | None = None

    @property
    def rng(self) -> random.Random:
        if self._rng is None:
            if self.seed is None:
                self.seed = secrets.randbits(63)
            self._rng = random.Random(self.seed)
        return self._rng

    def choose(self, tied: Sequence[int]) -> int:
        """Pick one of ``tied`` by lot."""
        order = sorted(tied)
        self.rng.shuffle(order)
        return order[0]

    def order(self, tied: Sequence[int]) -> list[int]:
        """A random order of ``tied`` (first = drawn first)."""
        order = sorted(tied)
        self.rng.shuffle(order)
        return order


def _cell(value: Number | None) -> str:
    if value is None:
        return ""
    text = format_number(value)
    if "/" in text:
        # a non-terminating fraction: show it rounded to 6 places (exactly), for reading
        text = "~" + format_number(Fraction(round(value * 10**6), 10**6))
    return text


_MATRICES = {
    "pairwise": "Pairwise preferences (row over column):",
    "strongest_paths": "Strongest paths (row to column):",
}


def _matrix_lines(matrix: dict[str, dict[str, Number]]) -> list[str]:
    names = list(matrix)
    rows = [[""] + names]
    for a in names:
        rows.append([a] + ["-" if a == b else _cell(matrix[a].get(b, 0)) for b in names])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join([r[0].ljust(widths[0])] + [c.rjust(widths[j]) for j, c in enumerate(r) if j])
        for r in rows
    ]


def render_text(result: Result) -> str:
    """Render ``result`` as plain text with one column per stage."""
    lines: list[str] = []
    title = result.parameters.get("title") if isinstance(result.parameters, dict) else None
    lines.append(f"Method: {result.method}" + (f" -- {title}" if title else ""))
    lines.append(f"Seats: {result.seats}")
    lines.append(f"Valid ballots: {result.valid_ballots}")
    if result.invalid_ballots:
        lines.append(f"Invalid/empty ballots: {result.invalid_ballots}")
    if result.quota is not None:
        lines.append(f"Quota: {_cell(result.quota)}")
    matrices = {k: v for k, v in result.parameters.items() if k in _MATRICES}
    params = {k: v for k, v in result.parameters.items() if k != "title" and k not in _MATRICES}
    if params:
        shown = ", ".join(f"{k}={_json_value(v)}" for k, v in params.items())
        lines.append(f"Parameters: {shown}")
    for key, matrix in matrices.items():
        lines.append("")
        lines.append(_MATRICES[key])
        lines.extend(_matrix_lines(matrix))
    if result.method == "ranked-pairs":
        lines.append("")
        for stage in result.stages:
            votes = " to ".join(f"{_cell(v)}" for v in stage.votes.values())
            extra = f" -- elected {', '.join(stage.elected)}" if stage.elected else ""
            lines.append(f"Pair {stage.number}: {stage.action} ({votes}) -- {stage.note}{extra}")
    elif result.stages:
        names: list[str] = []
        for stage in result.stages:
            for name in stage.votes:
                if name not in names:
                    names.append(name)
        header = ["Candidate"] + [f"Stage {s.number}" for s in result.stages]
        rows = [header]
        for name in names:
            rows.append([name] + [_cell(s.votes.get(name)) for s in result.stages])
        if any(s.exhausted for s in result.stages):
            rows.append(["Non-transferable"] + [_cell(s.exhausted) for s in result.stages])
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        lines.append("")
        for i, row in enumerate(rows):
            cells = [row[0].ljust(widths[0])] + [
                c.rjust(widths[j]) for j, c in enumerate(row[1:], start=1)
            ]
            lines.append("  ".join(cells).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("")
        for stage in result.stages:
            parts = [f"Stage {stage.number}: {stage.action}"]
            if stage.elected:
                parts.append("elected " + ", ".join(stage.elected))
            if stage.excluded:
                parts.append("excluded " + ", ".join(stage.excluded))
            if stage.note:
                parts.append(stage.note)
            lines.append(" -- ".join(parts))
    if result.ties:
        lines.append("")
        lines.append("Ties:")
        for t in result.ties:
            lines.append(
                f"  stage {t.stage}, {t.purpose}: {', '.join(t.candidates)} -> {t.chosen}"
                f" ({t.resolved_by})"
            )
    if result.seed is not None:
        lines.append(f"Seed: {result.seed}")
    lines.append("")
    if result.ranking is not None:
        lines.append("Ranking: " + ", ".join(result.ranking))
    lines.append("Elected: " + (", ".join(result.elected) if result.elected else "(none)"))
    return "\n".join(lines) + "\n"
