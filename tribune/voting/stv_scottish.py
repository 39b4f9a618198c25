"""Scottish STV: the counting rules of the Scottish Local Government Elections
Order 2007 (SSI 2007/42), Schedule 1, rules 45-52.

Why hand-written: the statutory count is precise about details that general
STV libraries treat loosely -- the quota ignores fractions, every transfer
value is truncated (not rounded) to five decimal places, *all* of an elected
candidate's papers are re-examined at the value each had when received
(weighted inclusive Gregory), surpluses go largest first, ties look at the
most recent earlier stage where the candidates differed before a lot is
drawn, and the count stops as soon as the continuing candidates equal the
vacancies.  A returning officer must be able to publish every stage, so the
count reports each stage's totals, transfers, non-transferable votes, the
votes lost to truncation, and every tie with the seed of any lot.

Rules as implemented (values are integers scaled by 10**5, i.e. exact
five-decimal fixed point; no floats ever hold a vote):

* 46 -- quota = (valid ballot papers // (seats + 1)) + 1.
* 47 -- a candidate whose votes equal or exceed the quota is elected.
* 48 -- if an elected candidate's votes exceed the quota and vacancies
  remain, every paper they hold moves to its next continuing preference with
  transfer value ``floor(surplus * value_when_received / total, 5 places)``;
  papers with no further preference are non-transferable.  The candidate is
  left with the quota; what truncation drops is reported as "loss".
* 49 -- with several surpluses, the largest is transferred first (one per
  stage); equal surpluses: highest votes at the most recent preceding stage
  at which they were unequal, else lot.
* 50 -- otherwise the candidate with the fewest votes is excluded and each
  of their papers moves on at its current value.
* 51 -- equal lowest: lowest at the most recent preceding stage at which they
  were unequal, else lot.
* 52 -- when the continuing candidates are no more than the vacancies left,
  they are all elected and no further transfer is made.

Withdrawn candidates are skipped on every ballot (ballots left empty are not
valid papers).  Optional reserved-seat ``minimums`` follow the approach in
:class:`tribune.voting.stv_common.Minimums`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

import numpy as np

from tribune.voting.ballots import RankedProfile
from tribune.voting.result import Lot, Result, Stage, Tie, format_number
from tribune.voting.stv_common import Minimums, break_tie, order_by_votes, prepare, sum_by

__all__ = ["scottish_stv"]

PLACES = 5
SCALE = 10**PLACES


def _fx(value: int) -> Fraction | int:
    """A scaled integer as an exact value (an int when whole)."""
    if value % SCALE == 0:
        return value // SCALE
    return Fraction(value, SCALE)


def scottish_stv(
    profile: RankedProfile,
    seats: int,
    *,
    seed: int | None = None,
    minimums: Mapping[str, tuple[Iterable[int], int]] | None = None,
) -> Result:
    """Count ``profile`` for ``seats`` vacancies by the Scottish STV rules.

    ``seed`` seeds any lot (a seed is drawn and reported if one is needed and
    none was given).  ``minimums`` maps a group name to ``(candidate indices,
    minimum elected)``.  Returns a :class:`~tribune.voting.result.Result`
    whose stages hold exact five-decimal values.
    """
    if seats < 1:
        raise ValueError("seats must be >= 1")
    data = prepare(profile)
    names = data.names
    n = data.n
    lot = Lot(seed)
    ties: list[Tie] = []
    stages: list[Stage] = []
    history: list[list[int]] = []  # votes at the end of each stage (scaled)
    guard = Minimums.build(minimums, n, data.withdrawn, seats, names)

    valid = data.valid
    quota_units = valid // (seats + 1) + 1
    quota = quota_units * SCALE
    bound = max(valid, 1) * SCALE

    matrix = data.matrix
    # one "piece" per distinct ranking: papers sharing ranking, position and value
    gid = np.arange(matrix.shape[0], dtype=np.int64)
    pos = np.zeros(matrix.shape[0], dtype=np.int64)
    val = np.full(matrix.shape[0], SCALE, dtype=np.int64)
    cnt = data.weights.copy()
    holder = matrix[gid, pos].astype(np.int64) if len(gid) else np.zeros(0, dtype=np.int64)

    continuing_mask = np.zeros(n + 1, dtype=bool)
    continuing: set[int] = set(range(n)) - data.withdrawn
    for c in continuing:
        continuing_mask[c] = True
    elected: list[int] = []
    excluded: list[int] = []
    pending: list[int] = []  # elected, surplus not yet transferred
    settled: set[int] = set()  # elected whose surplus was transferred (hold the quota)

    first = sum_by(holder, cnt * val, n + 1, bound) if len(holder) else np.zeros(n + 1, np.int64)
    votes = [int(first[c]) for c in range(n)]
    exhausted = 0
    loss = 0

    def shown() -> dict[str, Fraction | int]:
        return {names[c]: _fx(votes[c]) for c in range(n) if c in continuing or c in elected}

    def record(action: str, transfers: dict[int, int], note: str = "") -> Stage:
        stage = Stage(
            number=len(stages) + 1,
            action=action,
            votes=shown(),
            exhausted=_fx(exhausted),
            transfers={names[c]: _fx(v) for c, v in transfers.items() if v},
            note=note,
        )
        stages.append(stage)
        history.append(list(votes))
        return stage

    def advance(idx: np.ndarray) -> None:
        """Move pieces ``idx`` to their next continuing preference (or the sentinel)."""
        p = pos[idx] + 1
        g = gid[idx]
        h = matrix[g, p]
        bad = (h != n) & ~continuing_mask[h]
        while bad.any():
            p[bad] += 1
            h = matrix[g, p]
            bad = (h != n) & ~continuing_mask[h]
        pos[idx] = p
        holder[idx] = h

    def drop(keep: np.ndarray) -> None:
        nonlocal gid, pos, val, cnt, holder
        gid, pos, val, cnt, holder = gid[keep], pos[keep], val[keep], cnt[keep], holder[keep]

    def move_papers(c: int, surplus: int | None) -> tuple[dict[int, int], int, int]:
        """Transfer every paper held by ``c``; returns (received, non-transferable, loss)."""
        idx = np.nonzero(holder == c)[0]
        if surplus is not None:
            total = votes[c]
            val[idx] = (surplus * val[idx]) // total  # rule 48(3): truncated per paper
        advance(idx)
        moved = cnt[idx] * val[idx]
        to = holder[idx]
        gained = sum_by(to, moved, n + 1, bound)
        received = {int(d): int(gained[d]) for d in np.nonzero(gained[:n])[0]}
        nontransferable = int(gained[n])
        lost = 0
        if surplus is not None:
            lost = surplus - sum(received.values()) - nontransferable
        # drop exhausted and worthless pieces
        keep = (holder != n) & (val > 0)
        if not keep.all():
            drop(keep)
        return received, nontransferable, lost

    stage1 = record("First preferences", {})
    current = stage1

    def elect(c: int, stage: Stage, why: str) -> None:
        continuing.discard(c)
        continuing_mask[c] = False
        elected.append(c)
        stage.elected.append(names[c])
        if votes[c] > quota:
            pending.append(c)
        if why and why not in stage.note:
            stage.note = (stage.note + "; " if stage.note else "") + why

    def exclude(c: int) -> Stage:
        nonlocal exhausted
        continuing.discard(c)
        continuing_mask[c] = False
        excluded.append(c)
        had = votes[c]
        received, nontransferable, _ = move_papers(c, None)
        votes[c] = 0
        for d, v in received.items():
            votes[d] += v
        exhausted += nontransferable
        transfers = dict(received)
        transfers[c] = -had
        stage = record(f"Exclusion of {names[c]}", transfers)
        stage.excluded.append(names[c])
        return stage

    while True:
        # rule 47: elect everyone at or above the quota, highest first
        reached = [c for c in continuing if votes[c] >= quota]
        if reached:
            order = order_by_votes(
                reached,
                votes,
                history[:-1],
                most_recent_first=True,
                lot=lot,
                stage=current.number,
                purpose="order of election",
                names=names,
                ties=ties,
            )
            deferred = False
            for c in order:
                if len(elected) >= seats:
                    break
                left = seats - len(elected)
                if guard.can_elect(c, continuing, set(elected), left):
                    elect(c, current, "reached the quota")
                else:
                    current = exclude(c)
                    current.note = (
                        "deferred: electing them would leave too few places for a minimum"
                    )
                    deferred = True
                    break
            if deferred:
                continue
        if len(elected) >= seats:
            break
        left = seats - len(elected)
        # rule 52: the continuing candidates fill the last vacancies
        if len(continuing) <= left:
            order = order_by_votes(
                continuing,
                votes,
                history[:-1],
                most_recent_first=True,
                lot=lot,
                stage=current.number,
                purpose="order of election",
                names=names,
                ties=ties,
            )
            for c in order:
                elect(c, current, "")
            note = "continuing candidates equal the vacancies left (rule 52)"
            current.note = (current.note + "; " if current.note else "") + note
            break
        # minimums: every remaining place is needed by a group
        outsiders = guard.outsiders(continuing, set(elected), left)
        if outsiders:
            low = min(votes[c] for c in outsiders)
            tied = [c for c in outsiders if votes[c] == low]
            c = break_tie(
                tied,
                history[:-1],
                lowest=True,
                most_recent_first=True,
                lot=lot,
                stage=current.number + 1,
                purpose="exclusion",
                names=names,
                ties=ties,
            )
            current = exclude(c)
            current.note = "excluded: every place left is needed to meet a minimum"
            continue
        # rules 48-49: transfer the largest surplus
        if pending:
            top = max(votes[c] for c in pending)
            tied = [c for c in pending if votes[c] == top]
            c = break_tie(
                tied,
                history[:-1],
                lowest=False,
                most_recent_first=True,
                lot=lot,
                stage=current.number + 1,
                purpose="surplus order",
                names=names,
                ties=ties,
            )
            pending.remove(c)
            surplus = votes[c] - quota
            received, nontransferable, lost = move_papers(c, surplus)
            for d, v in received.items():
                votes[d] += v
            votes[c] = quota
            settled.add(c)
            exhausted += nontransferable
            loss += lost
            transfers = dict(received)
            transfers[c] = -surplus
            note = f"loss from truncation {format_number(Fraction(lost, SCALE))}" if lost else ""
            current = record(f"Surplus of {names[c]}", transfers, note)
            continue
        # rules 50-51: exclude the lowest continuing candidate
        candidates = [c for c in continuing if guard.can_exclude(c, continuing, set(elected), left)]
        if not candidates:  # cannot happen while the minimums are feasible
            candidates = list(continuing)
        low = min(votes[c] for c in candidates)
        tied = [c for c in candidates if votes[c] == low]
        c = break_tie(
            tied,
            history[:-1],
            lowest=True,
            most_recent_first=True,
            lot=lot,
            stage=current.number + 1,
            purpose="exclusion",
            names=names,
            ties=ties,
        )
        protected = [d for d in continuing if d not in candidates]
        note = "lowest vote"
        if protected and min(votes[d] for d in protected) < low:
            note += " among candidates whose exclusion keeps every minimum reachable"
        current = exclude(c)
        current.note = note

    parameters: dict[str, object] = {
        "rules": "Scottish Local Government Elections Order 2007, Sch. 1, rules 45-52",
        "decimal_places": PLACES,
        "rounding": "truncate",
        "truncation_loss": _fx(loss),
    }
    if data.title:
        parameters["title"] = data.title
    if data.withdrawn:
        parameters["withdrawn"] = [names[c] for c in sorted(data.withdrawn)]
    if guard or guard.notes:
        parameters["minimums"] = guard.report(elected, names)
        if guard.notes:
            parameters["minimum_notes"] = list(guard.notes)
    return Result(
        method="scottish-stv",
        seats=seats,
        elected=[names[c] for c in elected],
        quota=quota_units,
        stages=stages,
        ties=ties,
        seed=lot.seed,
        valid_ballots=valid,
        invalid_ballots=data.invalid,
        parameters=parameters,
    )
