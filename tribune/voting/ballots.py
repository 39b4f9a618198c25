"""Ballot profiles: the immutable input every counting method reads.

Why hand-written: counting rules care about details that general-purpose
libraries smooth over -- withdrawn candidates that must be skipped on every
ballot, ballot multipliers from BLT files, the number of ballots that became
empty (and so do not count), and exact integer weights.  A million ballots
cast in a national election usually contain far fewer *distinct* rankings, so
every method first merges identical ballots (``grouped``); building a profile
from raw rankings does the grouping with a ``Counter`` in one pass.

Candidates are identified by their index ``0..n-1`` into ``candidates``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from numbers import Integral

import numpy as np

__all__ = [
    "ApprovalProfile",
    "BallotFileError",
    "ChoiceProfile",
    "RankedProfile",
    "ScoreProfile",
]


class BallotFileError(ValueError):
    """A ballot file could not be read; ``line`` is 1-based (``None`` if unknown)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


def _build_arrays(
    ballots: Sequence[tuple[Sequence[int], int]], n: int, *, check: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padded rank matrix, lengths and weights of ``ballots`` (see ``arrays``).

    Rankings are copied length by length, straight into the matrix, so the
    only large temporary is one block of equal-length rankings.
    """
    k = len(ballots)
    rankings = [r for r, _ in ballots]
    lengths = np.fromiter(map(len, rankings), dtype=np.int64, count=k)
    weights = np.fromiter((w for _, w in ballots), dtype=np.int64, count=k)
    width = int(lengths.max()) if k else 0
    dtype = np.int16 if n < 2**15 - 1 else np.int32
    ranks = np.full((k, width), n, dtype=dtype)
    for length in np.unique(lengths).tolist():
        if length == 0:
            continue
        rows = np.flatnonzero(lengths == length)
        if rows.size == k:
            chosen: Iterable[Sequence[int]] = rankings
        else:
            chosen = (rankings[i] for i in rows.tolist())
        block = np.fromiter(
            itertools.chain.from_iterable(chosen), dtype=np.int64, count=rows.size * length
        ).reshape(rows.size, length)
        if check and (int(block.min()) < 0 or int(block.max()) >= n):
            bad = int(rows[np.argmax(((block < 0) | (block >= n)).any(axis=1))])
            raise ValueError(f"ranking {tuple(rankings[bad])!r} names an unknown candidate")
        ranks[rows, :length] = block
    return ranks, lengths, weights


def _check_candidates(candidates: Sequence[str]) -> None:
    if len(set(candidates)) != len(candidates):
        raise ValueError("candidate names must be distinct")


@dataclass(frozen=True)
class RankedProfile:
    """Ranked ballots: ``ballots`` holds ``(ranking, weight)`` pairs.

    ``ranking`` lists candidate indices, most preferred first, without repeats;
    it may be truncated (not every candidate ranked).  ``weight`` is the number
    of identical ballots (a BLT multiplier), an integer >= 1.

    ``withdrawn`` candidates are skipped on every ballot by ``grouped()``.
    ``seats`` is the number of seats a BLT file declared (``None`` if unknown).
    ``dropped`` is the total weight of ballots that were found empty (nothing
    ranked, or only withdrawn candidates) and so do not count.
    """

    candidates: tuple[str, ...]
    ballots: tuple[tuple[tuple[int, ...], int], ...]
    withdrawn: frozenset[int] = frozenset()
    title: str = ""
    seats: int | None = None
    dropped: int = 0
    _grouped: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
        object.__setattr__(self, "withdrawn", frozenset(self.withdrawn))
        _check_candidates(self.candidates)
        n = len(self.candidates)
        for c in self.withdrawn:
            if not 0 <= c < n:
                raise ValueError(f"withdrawn candidate {c} out of range")

    @classmethod
    def from_rankings(
        cls,
        candidates: Sequence[str],
        rankings: Iterable[Sequence[int]],
        weights: Iterable[int] | None = None,
        *,
        withdrawn: Iterable[int] = (),
        title: str = "",
        seats: int | None = None,
        validate: bool = True,
    ) -> RankedProfile:
        """Build a grouped profile from raw rankings (one per ballot).

        Identical rankings are merged with a ``Counter``, so a million ballots
        cost one hashing pass.  With ``validate`` every distinct ranking is
        checked (indices in range, no repeats); the check runs on distinct
        rankings only.
        """
        counts: Counter[tuple[int, ...]] = Counter()
        if weights is None:
            counts.update(map(tuple, rankings))
        else:
            for ranking, weight in zip(rankings, weights, strict=True):
                if not isinstance(weight, Integral) or weight < 1:
                    raise ValueError(f"ballot weight must be an integer >= 1, got {weight!r}")
                counts[tuple(ranking)] += int(weight)
        items = list(counts.items())
        if items and any(type(c) is not int for c in items[0][0]):
            # e.g. numpy integers: normalise to Python ints (merging equal keys)
            merged: Counter[tuple[int, ...]] = Counter()
            for ranking, weight in items:
                if not all(isinstance(c, Integral) for c in ranking):
                    raise ValueError(f"ranking {ranking!r} holds a non-integer")
                merged[tuple(map(int, ranking))] += weight
            items = list(merged.items())
        withdrawn = frozenset(withdrawn)
        profile = cls(tuple(candidates), tuple(items), withdrawn, title, seats)
        if withdrawn:
            if validate:
                profile.validate()
            return profile.grouped()
        # the keys are distinct already: only empty rankings need dropping
        dropped = counts.get((), 0)
        if dropped:
            items = [(r, w) for r, w in items if r]
        grouped = replace(profile, ballots=tuple(items), dropped=dropped, _grouped=True)
        if validate:
            grouped.validate()
        return grouped

    def validate(self) -> None:
        """Raise ``ValueError`` if a ranking is malformed or a weight is not >= 1.

        Vectorised (numpy) so that a million distinct rankings check quickly.
        """
        n = len(self.candidates)
        for _, weight in self.ballots[:1]:
            if not isinstance(weight, Integral):
                raise ValueError(f"ballot weight must be an integer >= 1, got {weight!r}")
        for ranking, _ in self.ballots[:1]:
            if not all(isinstance(c, Integral) for c in ranking):
                raise ValueError(f"ranking {ranking!r} holds a non-integer")
        try:
            arrays = _build_arrays(self.ballots, n, check=True)
        except (TypeError, OverflowError):
            raise ValueError("rankings must hold candidate indices, weights integers") from None
        ranks, _, weights = arrays
        if weights.size and int(weights.min()) < 1:
            bad = int(np.argmax(weights < 1))
            raise ValueError(f"ballot weight must be >= 1, got {self.ballots[bad][1]!r}")
        if ranks.size:
            ordered = np.sort(ranks, axis=1)
            dup = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] < n)
            if dup.any():
                bad = int(np.argmax(dup.any(axis=1)))
                raise ValueError(f"ranking {self.ballots[bad][0]!r} repeats a candidate")
        if self._grouped:
            object.__setattr__(self, "_arrays", arrays)  # reused by the counts

    def grouped(self) -> RankedProfile:
        """Merge identical rankings, skip withdrawn candidates, drop empty ballots.

        The weight of dropped (empty) ballots is added to ``dropped``.
        Rankings keep the order of their first appearance, so the result is
        deterministic.  Calling it on a grouped profile returns it unchanged.
        """
        if self._grouped:
            return self
        counts: dict[tuple[int, ...], int] = {}
        dropped = self.dropped
        withdrawn = self.withdrawn
        for ranking, weight in self.ballots:
            if withdrawn:
                ranking = tuple(c for c in ranking if c not in withdrawn)
            if not ranking:
                dropped += weight
                continue
            counts[ranking] = counts.get(ranking, 0) + weight
        return replace(self, ballots=tuple(counts.items()), dropped=dropped, _grouped=True)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ranks, lengths, weights)`` of the grouped profile, for vectorised counts.

        ``ranks`` is int16 (int32 for 32767+ candidates) of shape
        ``(distinct rankings, longest ranking)``,
        padded with the sentinel ``len(candidates)``; ``lengths`` and
        ``weights`` are int64.  Built once and cached on the grouped profile.
        """
        grouped = self.grouped()
        cached = grouped.__dict__.get("_arrays")
        if cached is None:
            cached = _build_arrays(grouped.ballots, len(grouped.candidates))
            object.__setattr__(grouped, "_arrays", cached)
        return cached

    @property
    def total_weight(self) -> int:
        """Total weight of the ballots held (dropped ones excluded)."""
        return sum(weight for _, weight in self.ballots)

    @property
    def continuing(self) -> tuple[int, ...]:
        """Candidates who are not withdrawn, in index order."""
        return tuple(c for c in range(len(self.candidates)) if c not in self.withdrawn)

    def rankings(self) -> list[tuple[int, ...]]:
        """One ranking per ballot (weights expanded) -- for small profiles and tests."""
        return [r for r, w in self.ballots for _ in range(w)]


@dataclass(frozen=True)
class ChoiceProfile:
    """Single-choice ballots for plurality: ``ballots`` holds ``(candidate, weight)``."""

    candidates: tuple[str, ...]
    ballots: tuple[tuple[int, int], ...]
    title: str = ""
    dropped: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
        _check_candidates(self.candidates)
        n = len(self.candidates)
        for c, w in self.ballots:
            if not 0 <= c < n:
                raise ValueError(f"choice {c!r} out of range")
            if w < 1:
                raise ValueError(f"ballot weight must be >= 1, got {w!r}")

    @property
    def total_weight(self) -> int:
        return sum(w for _, w in self.ballots)


@dataclass(frozen=True)
class ApprovalProfile:
    """Approval ballots: ``ballots`` holds ``(approved candidate set, weight)``.

    An empty set is a valid ballot that approves nobody (it counts as cast).
    """

    candidates: tuple[str, ...]
    ballots: tuple[tuple[frozenset[int], int], ...]
    title: str = ""
    dropped: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
        _check_candidates(self.candidates)
        n = len(self.candidates)
        for approved, w in self.ballots:
            if any(not 0 <= c < n for c in approved):
                raise ValueError(f"approval ballot {sorted(approved)!r} out of range")
            if w < 1:
                raise ValueError(f"ballot weight must be >= 1, got {w!r}")

    @classmethod
    def from_approvals(
        cls,
        candidates: Sequence[str],
        approvals: Iterable[Iterable[int]],
        weights: Iterable[int] | None = None,
    ) -> ApprovalProfile:
        counts: Counter[frozenset[int]] = Counter()
        if weights is None:
            counts.update(frozenset(a) for a in approvals)
        else:
            for a, w in zip(approvals, weights, strict=True):
                counts[frozenset(a)] += w
        return cls(tuple(candidates), tuple(counts.items()))

    @property
    def total_weight(self) -> int:
        return sum(w for _, w in self.ballots)


@dataclass(frozen=True)
class ScoreProfile:
    """Score (range) ballots: one integer score ``0..max_score`` per candidate.

    ``ballots`` holds ``(scores, weight)`` with ``len(scores) == len(candidates)``;
    a candidate the voter left blank scores 0.
    """

    candidates: tuple[str, ...]
    ballots: tuple[tuple[tuple[int, ...], int], ...]
    max_score: int = 5
    title: str = ""
    dropped: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
        _check_candidates(self.candidates)
        n = len(self.candidates)
        if self.max_score < 1:
            raise ValueError("max_score must be >= 1")
        for scores, w in self.ballots:
            if len(scores) != n:
                raise ValueError(f"score ballot {scores!r} must have {n} scores")
            if any(not isinstance(s, int) or not 0 <= s <= self.max_score for s in scores):
                raise ValueError(f"score ballot {scores!r} has a score outside 0..{self.max_score}")
            if w < 1:
                raise ValueError(f"ballot weight must be >= 1, got {w!r}")

    @classmethod
    def from_scores(
        cls,
        candidates: Sequence[str],
        scores: Iterable[Sequence[int]],
        weights: Iterable[int] | None = None,
        *,
        max_score: int = 5,
    ) -> ScoreProfile:
        counts: Counter[tuple[int, ...]] = Counter()
        if weights is None:
            counts.update(map(tuple, scores))
        else:
            for s, w in zip(scores, weights, strict=True):
                counts[tuple(s)] += w
        return cls(tuple(candidates), tuple(counts.items()), max_score)

    @property
    def total_weight(self) -> int:
        return sum(w for _, w in self.ballots)
