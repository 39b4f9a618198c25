"""Score (range) voting and STAR (Score Then Automatic Runoff).

Why hand-written: so score and STAR counts carry the same auditable record as
every other method, with exact integer totals and reproducible lots.

Rules implemented:

* score: each ballot gives every candidate an integer score ``0..max_score``
  (blank = 0); the ``seats`` candidates with the highest total score win; a
  tie for the last seat is broken by lot.
* STAR (single winner): the two candidates with the highest total scores are
  finalists (a tie for a finalist place is broken by lot); the finalist
  scored higher than the other on more ballots wins the runoff.  If the
  runoff is tied, the finalist with the higher total score wins; if that is
  tied too, lot decides.
"""

from __future__ import annotations

from tribune.voting.ballots import ScoreProfile
from tribune.voting.result import Lot, Result, Stage, Tie
from tribune.voting.selection import select_top


def _totals(profile: ScoreProfile) -> dict[int, int]:
    totals = {c: 0 for c in range(len(profile.candidates))}
    for scores, weight in profile.ballots:
        for c, s in enumerate(scores):
            if s:
                totals[c] += s * weight
    return totals


def score(profile: ScoreProfile, *, seats: int = 1, seed: int | None = None) -> Result:
    """Elect the ``seats`` candidates with the highest total score."""
    names = profile.candidates
    if not 1 <= seats <= len(names):
        raise ValueError(f"seats must be between 1 and {len(names)}")
    totals = _totals(profile)
    lot = Lot(seed)
    elected, ranking, ties = select_top(totals, seats, names, lot)
    stage = Stage(
        number=1,
        action="Total scores",
        votes={names[c]: totals[c] for c in ranking},
        elected=[names[c] for c in elected],
        note="highest total score",
    )
    params: dict = {"max_score": profile.max_score}
    if profile.title:
        params["title"] = profile.title
    return Result(
        method="score",
        seats=seats,
        elected=[names[c] for c in elected],
        ranking=[names[c] for c in ranking],
        stages=[stage],
        ties=ties,
        seed=lot.seed,
        valid_ballots=profile.total_weight,
        invalid_ballots=profile.dropped,
        parameters=params,
    )


def star(profile: ScoreProfile, *, seed: int | None = None) -> Result:
    """STAR voting: top two by total score, then an automatic runoff between them."""
    names = profile.candidates
    if len(names) < 1:
        raise ValueError("no candidates")
    totals = _totals(profile)
    lot = Lot(seed)
    finalists, ranking, ties = select_top(totals, min(2, len(names)), names, lot, purpose="runoff")
    stages = [
        Stage(
            number=1,
            action="Scoring round",
            votes={names[c]: totals[c] for c in ranking},
            note="the two highest totals go to the runoff",
        )
    ]
    if len(finalists) == 1:
        winner = finalists[0]
        stages[0].elected = [names[winner]]
    else:
        a, b = finalists
        prefer_a = prefer_b = equal = 0
        for scores, weight in profile.ballots:
            if scores[a] > scores[b]:
                prefer_a += weight
            elif scores[b] > scores[a]:
                prefer_b += weight
            else:
                equal += weight
        note = "preferred on more ballots"
        if prefer_a != prefer_b:
            winner = a if prefer_a > prefer_b else b
        elif totals[a] != totals[b]:
            winner = a if totals[a] > totals[b] else b
            ties.append(Tie(2, [names[a], names[b]], "runoff", "higher total score", names[winner]))
            note = "runoff tied; higher total score"
        else:
            winner = lot.choose([a, b])
            ties.append(
                Tie(2, [names[a], names[b]], "runoff", f"lot (seed {lot.seed})", names[winner])
            )
            note = "runoff and totals tied; lot"
        stages.append(
            Stage(
                number=2,
                action="Automatic runoff",
                votes={names[a]: prefer_a, names[b]: prefer_b},
                exhausted=equal,
                elected=[names[winner]],
                note=note,
            )
        )
    params: dict = {"max_score": profile.max_score}
    if profile.title:
        params["title"] = profile.title
    return Result(
        method="star",
        seats=1,
        elected=[names[winner]],
        stages=stages,
        ties=ties,
        seed=lot.seed,
        valid_ballots=profile.total_weight,
        invalid_ballots=profile.dropped,
        parameters=params,
    )
