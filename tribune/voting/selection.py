"""Choosing the top ``seats`` candidates by total, with ties broken by lot.

Why hand-written: plurality, approval and score all elect the candidates with
the highest totals; the one delicate point -- a tie straddling the last seat --
must be resolved by a reproducible lot and reported, which no library does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from tribune.voting.result import Lot, Tie

Number = Fraction | int


def select_top(
    totals: Mapping[int, Number],
    seats: int,
    names: Sequence[str],
    lot: Lot,
    *,
    stage: int = 1,
    purpose: str = "election",
) -> tuple[list[int], list[int], list[Tie]]:
    """Return ``(elected, ranking, ties)``.

    ``ranking`` orders every candidate in ``totals`` by decreasing total.  A
    group of equal totals that straddles the last seat is ordered by lot
    (recorded as a :class:`Tie`); other equal groups keep index order, since
    the order inside them decides nothing.
    """
    if seats < 0:
        raise ValueError("seats must be >= 0")
    values = sorted(set(totals.values()), reverse=True)
    ranking: list[int] = []
    ties: list[Tie] = []
    for value in values:
        group = sorted(c for c, v in totals.items() if v == value)
        before = len(ranking)
        if len(group) > 1 and before < seats < before + len(group):
            drawn = lot.order(group)
            places = seats - before
            ties.append(
                Tie(
                    stage=stage,
                    candidates=[names[c] for c in group],
                    purpose=purpose,
                    resolved_by=f"lot (seed {lot.seed}): drawn order "
                    + ", ".join(names[c] for c in drawn),
                    chosen=", ".join(names[c] for c in drawn[:places]),
                )
            )
            group = drawn
        ranking.extend(group)
    return ranking[:seats], ranking, ties
