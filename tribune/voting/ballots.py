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

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

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
                counts[tuple(ranking)] += weight
        profile = cls(
            tuple(candidates),
            tuple(counts.items()),
            frozenset(withdrawn),
            title,
            seats,
        )
        if validate:
            profile.validate()
        return profile.grouped()

    def validate(self) -> None:
        """Raise ``ValueError`` if a ranking is malformed or a weight is not >= 1."""
        n = len(self.candidates)
        for ranking, weight in self.ballots:
            if not isinstance(weight, int) or weight < 1:
                raise ValueError(f"ballot weight must be an integer >= 1, got {weight!r}")
            if len(set(ranking)) != len(ranking):
                raise ValueError(f"ranking {ranking!r} repeats a candidate")
            for c in ranking:
                if not isinstance(c, int) or not 0 <= c < n:
                    raise ValueError(f"ranking {ranking!r} names unknown candidate {c!r}")

    def grouped(self) -> RankedProfile:
        """Merge identical rankings, skip withdrawn candidates, drop empty ballots.

        The weight of dropped (empty) ballots is added to ``dropped``.
        Rankings are ordered by decreasing weight, then lexicographically, so the
        result is deterministic.  Calling it on a grouped profile is cheap.
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
        ballots = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        return replace(self, ballots=ballots, dropped=dropped, _grouped=True)

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
