"""Instant-runoff voting (the alternative vote) for a single office.

Why hand-written: the count must be reported stage by stage (first
preferences, each exclusion and the transfers it caused, non-transferable
votes) with ties broken by a published rule and a reproducible lot.

Rules implemented (see ``docs/voting.md``):

* Withdrawn candidates are skipped on every ballot; ballots ranking nobody
  else are invalid (not counted).
* A candidate with more than half of the votes held by continuing candidates
  (non-transferable votes do not count) is elected.  Otherwise the candidate
  with the fewest votes is excluded and each of their ballots passes to its
  next continuing preference, or becomes non-transferable.
* All candidates with no votes at all are excluded together (the order among
  them cannot change the result).
* A tie for exclusion is broken by looking back at earlier stages, most recent
  first: at the latest stage where the tied candidates' totals differ, those
  with the fewest votes then stay tied, the others are spared; this repeats
  back to the first stage.  If a tie remains, it is broken by lot.

Speed: ballots are grouped and held as a numpy rank matrix; at each
exclusion only the rankings whose current preference was excluded are
looked at, vectorised, and totals are updated with exact integer counts.
"""

from __future__ import annotations

import numpy as np

from tribune.voting.ballots import RankedProfile
from tribune.voting.result import Lot, Result, Stage, Tie


def weighted_counts(index: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Exact ``sum(weights[index == c])`` for every ``c``, in int64 (no floats).

    Weights are taken bit by bit: ``bincount`` without weights counts exactly.
    """
    out = np.zeros(size, dtype=np.int64)
    if index.size == 0:
        return out
    if int(weights.max()) == 1:
        return np.bincount(index, minlength=size).astype(np.int64)
    for bit in range(int(weights.max()).bit_length()):
        selected = ((weights >> bit) & 1).astype(bool)
        if selected.any():
            out += np.bincount(index[selected], minlength=size).astype(np.int64) << bit
    return out


def break_exclusion_tie(
    tied: list[int], history: list[dict[int, int]], lot: Lot
) -> tuple[int, str]:
    """Choose whom to exclude among ``tied`` (lowest now).

    ``history`` holds the totals of every earlier stage, oldest first.  Returns
    the candidate and a description of how the tie was resolved.
    """
    remaining = sorted(tied)
    used: list[int] = []
    for index in range(len(history) - 1, -1, -1):
        totals = history[index]
        low = min(totals[c] for c in remaining)
        fewest = [c for c in remaining if totals[c] == low]
        if len(fewest) < len(remaining):
            remaining = fewest
            used.append(index + 1)
            if len(remaining) == 1:
                stages = ", ".join(str(s) for s in used)
                return remaining[0], f"earlier stage {stages}"
    chosen = lot.choose(remaining)
    prefix = f"earlier stage {', '.join(str(s) for s in used)}, then " if used else ""
    return chosen, f"{prefix}lot (seed {lot.seed})"


def irv(profile: RankedProfile, *, seed: int | None = None) -> Result:
    """Count ``profile`` by instant-runoff; return the winner and every stage."""
    grouped = profile.grouped()
    names = grouped.candidates
    continuing = set(grouped.continuing)
    if not continuing:
        raise ValueError("no continuing candidates")
    lot = Lot(seed)
    n = len(names)
    ranks, _, weights = grouped.arrays()
    k, width = ranks.shape
    pointer = np.zeros(k, dtype=np.int64)
    top_choice = ranks[:, 0].copy() if k else np.zeros(0, dtype=np.int32)
    first = weighted_counts(top_choice, weights, n + 1)
    totals: dict[int, int] = {c: int(first[c]) for c in continuing}
    hopeful = np.zeros(n + 1, dtype=bool)  # index n is the padding sentinel
    hopeful[list(continuing)] = True
    columns = np.arange(width)
    exhausted = 0
    valid = int(weights.sum())

    def snapshot() -> dict[str, int]:
        return {names[c]: totals[c] for c in sorted(continuing, key=lambda c: (-totals[c], c))}

    stages = [Stage(1, "First preferences", snapshot(), 0)]
    history: list[dict[int, int]] = [dict(totals)]
    ties: list[Tie] = []
    winner: int | None = None
    while True:
        active = sum(totals[c] for c in continuing)
        top = max(continuing, key=lambda c: (totals[c], -c))
        if 2 * totals[top] > active or len(continuing) == 1:
            winner = top
            stage = stages[-1]
            stage.elected = [names[top]]
            why = "more than half of the continuing votes" if len(continuing) > 1 else ""
            stage.note = "; ".join(p for p in (stage.note, why or "last continuing") if p)
            break
        zero = sorted(c for c in continuing if totals[c] == 0)
        note = ""
        if zero and len(zero) < len(continuing):
            excluded = zero
            note = "no votes"
        else:
            low = min(totals[c] for c in continuing)
            tied = sorted(c for c in continuing if totals[c] == low)
            if len(tied) == 1:
                excluded = tied
                note = "lowest vote"
            else:
                chosen, how = break_exclusion_tie(tied, history, lot)
                excluded = [chosen]
                note = f"lowest vote; tie broken by {how}"
                ties.append(
                    Tie(len(stages) + 1, [names[c] for c in tied], "exclusion", how, names[chosen])
                )
        before = dict(totals)
        for c in excluded:
            continuing.discard(c)
        hopeful[excluded] = False
        moved = np.flatnonzero(np.isin(top_choice, excluded))
        if moved.size:
            sub = ranks[moved]
            usable = hopeful[sub] & (columns > pointer[moved][:, None])
            has_next = usable.any(axis=1)
            nxt = usable.argmax(axis=1)
            gone = moved[~has_next]
            exhausted += int(weights[gone].sum())
            top_choice[gone] = n
            go = moved[has_next]
            pointer[go] = nxt[has_next]
            top_choice[go] = sub[has_next, nxt[has_next]]
            gained = weighted_counts(top_choice[go], weights[go], n + 1)
            for c in continuing:
                totals[c] += int(gained[c])
        for c in excluded:
            totals[c] = 0
        transfers = {names[c]: totals[c] - before[c] for c in sorted(continuing)}
        transfers.update({names[c]: -before[c] for c in excluded})
        transfers = {k: v for k, v in transfers.items() if v}
        for c in excluded:
            del totals[c]
        stages.append(
            Stage(
                len(stages) + 1,
                "Exclusion of " + ", ".join(names[c] for c in excluded),
                snapshot(),
                exhausted,
                transfers,
                excluded=[names[c] for c in excluded],
                note=note,
            )
        )
        history.append(dict(totals))
    params: dict = {}
    if grouped.title:
        params["title"] = grouped.title
    if grouped.withdrawn:
        params["withdrawn"] = sorted(names[c] for c in grouped.withdrawn)
    return Result(
        method="irv",
        seats=1,
        elected=[names[winner]],
        stages=stages,
        ties=ties,
        seed=lot.seed,
        valid_ballots=valid,
        invalid_ballots=grouped.dropped,
        parameters=params,
    )
