"""Ranked pairs (Tideman), winning-votes strength, with a published pair order.

Why hand-written: the method's result depends on the order in which pairs
are locked; the count must publish that order, say which pairs were skipped
because they would create a cycle, and break equal-strength pairs by a
reproducible lot.

Rules implemented:

* ``d[a][b]`` = ballots ranking ``a`` above ``b`` (as in ``schulze.py``).
* Majorities (``d[a][b] > d[b][a]``) are sorted by winning votes
  ``d[a][b]`` (larger first), then by losing votes ``d[b][a]`` (smaller
  first).  Pairs still equal are ordered by a tie-breaking ranking of the
  candidates (TBRC) drawn by lot: the pair whose winner stands higher in the
  TBRC comes first; for the same winner, the pair whose loser stands lower
  comes first.
* Each pair is locked unless it would create a cycle with pairs already
  locked.  Pairs with no majority (``d[a][b] == d[b][a]``) come last,
  oriented by the TBRC.  The locked relation is then a total order: the
  ranking; ``elected`` is its first ``seats`` candidates.
* The lot is drawn only if equal-strength pairs or tied pairs exist.
"""

from __future__ import annotations

from tribune.voting.ballots import RankedProfile
from tribune.voting.pairwise import pairwise_matrix
from tribune.voting.result import Lot, Result, Stage, Tie


def _reaches(graph: dict[int, set[int]], start: int, goal: int) -> bool:
    stack, seen = [start], {start}
    while stack:
        x = stack.pop()
        if x == goal:
            return True
        for y in graph[x]:
            if y not in seen:
                seen.add(y)
                stack.append(y)
    return False


def ranked_pairs(profile: RankedProfile, *, seats: int = 1, seed: int | None = None) -> Result:
    """Ranked pairs (winning votes): winners and the full locked order."""
    grouped = profile.grouped()
    names = grouped.candidates
    eligible = list(grouped.continuing)
    if not 1 <= seats <= len(eligible):
        raise ValueError(f"seats must be between 1 and {len(eligible)}")
    d = pairwise_matrix(grouped)
    majorities = [(a, b) for a in eligible for b in eligible if a != b and d[a][b] > d[b][a]]
    level = [(a, b) for a in eligible for b in eligible if a < b and d[a][b] == d[b][a]]
    strengths = [(d[a][b], -d[b][a]) for a, b in majorities]
    lot = Lot(seed)
    ties: list[Tie] = []
    needs_lot = bool(level) or len(set(strengths)) < len(strengths)
    if needs_lot:
        tbrc = lot.order(eligible)
        ties.append(
            Tie(
                stage=1,
                candidates=[names[c] for c in eligible],
                purpose="pair order",
                resolved_by=f"lot (seed {lot.seed}): tie-breaking ranking "
                + ", ".join(names[c] for c in tbrc),
                chosen=names[tbrc[0]],
            )
        )
    else:
        tbrc = list(eligible)
    place = {c: i for i, c in enumerate(tbrc)}
    majorities.sort(key=lambda ab: (-d[ab[0]][ab[1]], d[ab[1]][ab[0]], place[ab[0]], -place[ab[1]]))
    oriented_level = [(a, b) if place[a] < place[b] else (b, a) for a, b in level]
    oriented_level.sort(key=lambda ab: (place[ab[0]], -place[ab[1]]))
    graph: dict[int, set[int]] = {c: set() for c in eligible}
    stages: list[Stage] = []
    for a, b in majorities + oriented_level:
        cycle = _reaches(graph, b, a)
        if not cycle:
            graph[a].add(b)
        tied = d[a][b] == d[b][a]
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=f"{'Skip' if cycle else 'Lock'} {names[a]} > {names[b]}",
                votes={names[a]: d[a][b], names[b]: d[b][a]},
                note=("would create a cycle" if cycle else "locked")
                + ("; no majority, oriented by the tie-breaking ranking" if tied else ""),
            )
        )
    below: dict[int, int] = {}
    for c in eligible:
        seen, stack = {c}, [c]
        while stack:
            x = stack.pop()
            for y in graph[x]:
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        below[c] = len(seen) - 1
    ranking = sorted(eligible, key=lambda c: -below[c])
    elected = ranking[:seats]
    if stages:
        stages[-1].elected = [names[c] for c in elected]
    else:
        stages.append(Stage(1, "Single candidate", {names[c]: 0 for c in eligible}))
        stages[-1].elected = [names[c] for c in elected]
    params: dict = {
        "variant": "winning votes",
        "pairwise": {names[a]: {names[b]: d[a][b] for b in eligible if b != a} for a in eligible},
    }
    if grouped.title:
        params["title"] = grouped.title
    return Result(
        method="ranked-pairs",
        seats=seats,
        elected=[names[c] for c in elected],
        ranking=[names[c] for c in ranking],
        stages=stages,
        ties=ties,
        seed=lot.seed,
        valid_ballots=grouped.total_weight,
        invalid_ballots=grouped.dropped,
        parameters=params,
    )
