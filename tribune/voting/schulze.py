"""The Schulze method (beatpath), winning-votes variant, and a full ordering.

Why hand-written: organisations use Schulze both to pick a single winner and
to *order* competing options (e.g. motions); the count must be exact, fast on
a million ballots (see ``pairwise.py``) and explain itself: the pairwise
matrix and the strongest paths are published with the result.

Rules implemented:

* ``d[a][b]`` = ballots ranking ``a`` above ``b`` (truncated ballots rank every
  listed candidate above every unlisted one).
* Link strength (winning votes): ``d[a][b]`` if ``d[a][b] > d[b][a]``, else 0.
* ``p[a][b]`` = strength of the strongest (widest) path from ``a`` to ``b``.
* ``a`` beats ``b`` if ``p[a][b] > p[b][a]``; this relation is transitive.
* Ranking: repeatedly take the remaining candidates that no remaining
  candidate beats; if there are several, they are ordered by lot (recorded
  as a tie).  ``elected`` is the first ``seats`` candidates of the ranking.
"""

from __future__ import annotations

from tribune.voting.ballots import RankedProfile
from tribune.voting.pairwise import pairwise_matrix
from tribune.voting.result import Lot, Result, Stage, Tie


def strongest_paths(d: list[list[int]]) -> list[list[int]]:
    """Widest-path strengths with winning-votes links (Floyd--Warshall style)."""
    n = len(d)
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(n)] for i in range(n)]
    for k in range(n):
        pk = p[k]
        for i in range(n):
            if i == k:
                continue
            pik = p[i][k]
            if pik == 0:
                continue
            pi = p[i]
            for j in range(n):
                if j != i and j != k:
                    via = pik if pik < pk[j] else pk[j]
                    if via > pi[j]:
                        pi[j] = via
    return p


def schulze(profile: RankedProfile, *, seats: int = 1, seed: int | None = None) -> Result:
    """Schulze (winning votes): winners and the full Schulze order of the options."""
    grouped = profile.grouped()
    names = grouped.candidates
    eligible = list(grouped.continuing)
    if not 1 <= seats <= len(eligible):
        raise ValueError(f"seats must be between 1 and {len(eligible)}")
    d = pairwise_matrix(grouped)
    p = strongest_paths(d)
    lot = Lot(seed)
    remaining = list(eligible)
    ranking: list[int] = []
    ties: list[Tie] = []
    while remaining:
        top = [x for x in remaining if not any(p[y][x] > p[x][y] for y in remaining if y != x)]
        if len(top) > 1:
            drawn = lot.order(top)
            ties.append(
                Tie(
                    stage=1,
                    candidates=[names[c] for c in sorted(top)],
                    purpose="ranking",
                    resolved_by=f"lot (seed {lot.seed}): drawn order "
                    + ", ".join(names[c] for c in drawn),
                    chosen=names[drawn[0]],
                )
            )
            top = drawn
        ranking.extend(top)
        remaining = [c for c in remaining if c not in top]
    wins = {c: sum(1 for y in eligible if y != c and p[c][y] > p[y][c]) for c in eligible}
    elected = ranking[:seats]
    stage = Stage(
        number=1,
        action="Strongest paths (winning votes)",
        votes={names[c]: wins[c] for c in ranking},
        elected=[names[c] for c in elected],
        note="votes = number of options beaten by strongest path",
    )
    params: dict = {
        "variant": "winning votes",
        "pairwise": {names[a]: {names[b]: d[a][b] for b in eligible if b != a} for a in eligible},
        "strongest_paths": {
            names[a]: {names[b]: p[a][b] for b in eligible if b != a} for a in eligible
        },
    }
    if grouped.title:
        params["title"] = grouped.title
    return Result(
        method="schulze",
        seats=seats,
        elected=[names[c] for c in elected],
        ranking=[names[c] for c in ranking],
        stages=[stage],
        ties=ties,
        seed=lot.seed,
        valid_ballots=grouped.total_weight,
        invalid_ballots=grouped.dropped,
        parameters=params,
    )
