"""Shared machinery of the two STV counts (Scottish STV and Meek STV).

Why hand-written: both counts must follow statutory wording to the letter
(which stage a tie is looked up in, when a lot is drawn, how a reserved-seat
minimum constrains exclusions), report every decision, and stay fast on a
million ballots.  No maintained library offers that combination, so this
module holds the pieces both counts share:

* ``prepare`` turns a :class:`~tribune.voting.ballots.RankedProfile` into a
  padded integer matrix of distinct rankings plus their weights (identical
  ballots are merged first, withdrawn candidates are skipped);
* ``break_tie`` applies a "look at earlier stages, then draw lots" rule and
  records the decision as a :class:`~tribune.voting.result.Tie`;
* ``Minimums`` keeps reserved-seat minimums ("at least 2 of the elected from
  candidates {0, 3, 5}") feasible throughout a count.

Candidates are indices ``0..n-1``; index ``n`` is a sentinel meaning "no
further preference" that pads every ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tribune.voting.ballots import RankedProfile
from tribune.voting.result import Lot, Tie

__all__ = ["Ballots", "Minimums", "break_tie", "order_by_votes", "prepare", "sum_by"]

# float64 sums of integers are exact below 2**53; above it we use int64 add.at
_EXACT_FLOAT = 2**53


@dataclass
class Ballots:
    """Distinct rankings as a matrix, ready for vectorised counting."""

    names: tuple[str, ...]
    n: int  # number of candidates (sentinel index == n)
    matrix: np.ndarray  # shape (groups, width); rows padded with n; last column all n
    weights: np.ndarray  # int64, one per row
    valid: int  # total weight counted
    invalid: int  # weight of ballots found empty (nothing ranked / only withdrawn)
    withdrawn: frozenset[int]
    title: str = ""


def prepare(profile: RankedProfile) -> Ballots:
    """Group identical ballots and build the padded ranking matrix."""
    grouped = profile.grouped()
    n = len(grouped.candidates)
    ranks, _lengths, weights = grouped.arrays()  # cached on the grouped profile
    # one extra sentinel column, so that "the next preference" always exists
    matrix = np.full((ranks.shape[0], ranks.shape[1] + 1), n, dtype=np.int32)
    matrix[:, : ranks.shape[1]] = ranks
    weights = weights.astype(np.int64, copy=False)
    valid = int(weights.sum()) if len(weights) else 0
    return Ballots(
        names=tuple(grouped.candidates),
        n=n,
        matrix=matrix,
        weights=weights,
        valid=valid,
        invalid=grouped.dropped,
        withdrawn=frozenset(grouped.withdrawn),
        title=grouped.title,
    )


def sum_by(index: np.ndarray, values: np.ndarray, size: int, bound: int) -> np.ndarray:
    """Exact per-index sums of non-negative int64 ``values`` (``bound`` >= any sum)."""
    if bound < _EXACT_FLOAT:
        out = np.bincount(index, weights=values.astype(np.float64), minlength=size)
        return out.astype(np.int64)
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, values)
    return out


def break_tie(
    tied: Sequence[int],
    history: Sequence[Sequence[int]],
    *,
    lowest: bool,
    most_recent_first: bool,
    lot: Lot,
    stage: int,
    purpose: str,
    names: Sequence[str],
    ties: list[Tie],
) -> int:
    """Choose one of ``tied`` by earlier stages, then by lot; record the tie.

    ``history[k]`` holds every candidate's votes at the end of stage ``k + 1``
    (stages before the current one).  Stages are examined from the most recent
    backwards (Scottish rules 49(2) and 51(2)) or from the first forwards
    (``most_recent_first=False``: "ahead at first difference").  At the first
    stage examined where the tied candidates do not all have the same votes,
    only those with the lowest (``lowest=True``) or highest votes stay in
    contention; the search goes on among them until one is left.  If they
    were equal at every stage, a lot is drawn with ``lot``.
    """
    contenders = sorted(tied)
    if len(contenders) == 1:
        return contenders[0]
    steps = range(len(history) - 1, -1, -1) if most_recent_first else range(len(history))
    used: list[int] = []
    for k in steps:
        values = [history[k][c] for c in contenders]
        if len(set(values)) == 1:
            continue
        target = min(values) if lowest else max(values)
        contenders = [c for c, v in zip(contenders, values, strict=True) if v == target]
        used.append(k + 1)
        if len(contenders) == 1:
            break
    if len(contenders) == 1:
        how = "stage " + ", ".join(str(s) for s in used)
        chosen = contenders[0]
        resolved = f"earlier stage ({how})"
    else:
        chosen = lot.choose(contenders)
        resolved = "lot" + (f" (after earlier stage {', '.join(map(str, used))})" if used else "")
    ties.append(
        Tie(
            stage=stage,
            candidates=[names[c] for c in sorted(tied)],
            purpose=purpose,
            resolved_by=resolved,
            chosen=names[chosen],
        )
    )
    return chosen


def order_by_votes(
    cands: Iterable[int],
    votes: Sequence[int],
    history: Sequence[Sequence[int]],
    *,
    most_recent_first: bool,
    lot: Lot,
    stage: int,
    purpose: str,
    names: Sequence[str],
    ties: list[Tie],
) -> list[int]:
    """Order candidates by decreasing votes, breaking equal votes by ``break_tie``."""
    remaining = sorted(cands, key=lambda c: (-votes[c], c))
    out: list[int] = []
    while remaining:
        top = votes[remaining[0]]
        group = [c for c in remaining if votes[c] == top]
        while group:
            chosen = break_tie(
                group,
                history,
                lowest=False,
                most_recent_first=most_recent_first,
                lot=lot,
                stage=stage,
                purpose=purpose,
                names=names,
                ties=ties,
            )
            out.append(chosen)
            group.remove(chosen)
            remaining.remove(chosen)
    return out


@dataclass
class Minimums:
    """Reserved-seat minimums kept feasible during an STV count.

    ``groups`` maps a group name to ``(members, minimum)``.  A minimum larger
    than the number of (non-withdrawn) members is lowered to that number and
    the shortfall is reported in ``notes``.  If the minimums together need
    more seats than there are to fill, none is enforced (an ordinary count)
    and ``notes`` says so; the report still shows whether each was met.

    The approach (documented in docs/voting-stv.md):

    * ``needed(continuing, elected)`` is the smallest number of further
      candidates, drawn from the continuing ones, that would meet every
      group's remaining deficit (computed exactly over membership patterns);
    * a candidate may be excluded only if the minimums stay reachable without
      them (``can_exclude``); the lowest candidate whose exclusion keeps them
      reachable is excluded instead of a protected one;
    * a candidate who reaches the quota is deemed elected only if the
      minimums stay reachable with the seats then left (``can_elect``);
      otherwise they are excluded ("deferred") so that the reserved places
      go to the group;
    * once the places left equal the places the minimums still need,
      every continuing candidate who belongs to no group with a deficit is
      excluded (``outsiders``), lowest first.
    """

    groups: dict[str, tuple[frozenset[int], int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    requested: dict[str, tuple[frozenset[int], int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        minimums: Mapping[str, tuple[Iterable[int], int]] | None,
        n: int,
        withdrawn: frozenset[int],
        seats: int,
        names: Sequence[str],
    ) -> Minimums:
        out = cls()
        if not minimums:
            return out
        for group, (members, minimum) in minimums.items():
            members = frozenset(int(c) for c in members)
            if any(not 0 <= c < n for c in members):
                raise ValueError(f"minimum {group!r} names an unknown candidate")
            if minimum < 0:
                raise ValueError(f"minimum {group!r} must be >= 0")
            available = members - withdrawn
            wanted = min(minimum, seats)
            if wanted > len(available):
                out.notes.append(
                    f"minimum {group!r} lowered from {minimum} to {len(available)}: "
                    "not enough candidates"
                )
                wanted = len(available)
            if wanted:
                out.groups[group] = (available, wanted)
        out.requested = dict(out.groups)
        if out.groups and out.needed(set(range(n)) - withdrawn, set()) > seats:
            out.notes.append(
                "the minimums together need more seats than there are to fill: "
                "they are reported but not enforced"
            )
            out.groups = {}
        return out

    def __bool__(self) -> bool:
        return bool(self.groups)

    def deficits(self, elected: Iterable[int]) -> dict[str, int]:
        elected = set(elected)
        out = {}
        for group, (members, minimum) in self.groups.items():
            missing = minimum - len(members & elected)
            if missing > 0:
                out[group] = missing
        return out

    def needed(self, continuing: Iterable[int], elected: Iterable[int]) -> int:
        """Fewest continuing candidates whose election would meet every minimum.

        Returns a number larger than any seat count if the minimums cannot be
        met from the continuing candidates at all.
        """
        deficits = self.deficits(elected)
        if not deficits:
            return 0
        keys = list(deficits)
        patterns: dict[tuple[int, ...], int] = {}
        for c in continuing:
            pattern = tuple(i for i, g in enumerate(keys) if c in self.groups[g][0])
            if pattern:
                patterns[pattern] = patterns.get(pattern, 0) + 1
        items = sorted(patterns.items(), key=lambda kv: -len(kv[0]))
        need = [deficits[g] for g in keys]
        impossible = 10**9
        best = [impossible]

        def search(i: int, need: list[int], used: int) -> None:
            if used >= best[0]:
                return
            if all(x <= 0 for x in need):
                best[0] = used
                return
            if i == len(items):
                return
            pattern, available = items[i]
            useful = max((need[j] for j in pattern), default=0)
            for take in range(min(available, max(useful, 0)), -1, -1):
                after = list(need)
                for j in pattern:
                    after[j] -= take
                search(i + 1, after, used + take)

        search(0, need, 0)
        return best[0]

    def can_exclude(self, c: int, continuing: set[int], elected: set[int], left: int) -> bool:
        if not self.groups:
            return True
        return self.needed(continuing - {c}, elected) <= left

    def can_elect(self, c: int, continuing: set[int], elected: set[int], left: int) -> bool:
        if not self.groups:
            return True
        return self.needed(continuing - {c}, elected | {c}) <= left - 1

    def outsiders(self, continuing: set[int], elected: set[int], left: int) -> list[int]:
        """Continuing candidates to exclude because the minimums need every place left."""
        if not self.groups:
            return []
        deficits = self.deficits(elected)
        if not deficits or self.needed(continuing, elected) < left:
            return []
        inside: set[int] = set()
        for g in deficits:
            inside |= self.groups[g][0]
        return sorted(c for c in continuing if c not in inside)

    def report(self, elected: Iterable[int], names: Sequence[str]) -> dict[str, object]:
        elected = set(elected)
        return {
            g: {
                "candidates": [names[c] for c in sorted(members)],
                "minimum": minimum,
                "elected": len(members & elected),
                "met": len(members & elected) >= minimum,
            }
            for g, (members, minimum) in self.requested.items()
        }
