"""Meek STV: the keep-factor method of Hill, Wichmann and Woodall (Algorithm
123, The Computer Journal 30(3), 1987) as adopted by the New Zealand Local
Electoral Regulations 2001, Schedule 1A.

Why hand-written: Meek's method is only trustworthy when its arithmetic is
pinned down -- fixed decimal places, which products are rounded up, when the
iteration stops -- because two programs that differ in the ninth decimal can
exclude different candidates.  No maintained Python library implements the
fixed-point Algorithm 123 arithmetic with stage reports, tie records and a
reproducible lot, and none scales to a million ballots, so it is written
here, vectorised with numpy over distinct ballots.

The count, with every value an integer scaled by ``10**decimal_places``:

* every hopeful candidate has keep factor 1, every excluded (or withdrawn)
  candidate 0;
* each ballot starts with value 1 and passes down its preferences: a
  candidate with keep factor ``k`` keeps ``value * k`` *rounded up* and the
  rest passes on (so no value is created or lost); what is left after the
  last preference is the excess (non-transferable);
* quota = (total votes - excess) / (seats + 1), truncated to the stated
  places, plus one unit of the last place;
* a hopeful candidate with votes >= quota is elected; an elected candidate's
  keep factor is updated to ``k * quota / votes`` (the product and the
  quotient each rounded up), and the distribution is repeated;
* the iteration stops when someone new reaches the quota, when the total
  surplus of the elected candidates is less than ``omega``, or when the total
  surplus stops decreasing (the arithmetic cannot make further progress);
* when it stops without a new election, the hopeful candidate with the
  fewest votes is excluded (keep factor 0).  Equal lowest votes: "ahead at
  first difference" -- the candidate lowest at the earliest stage at which
  the tied candidates differed is excluded -- and if they never differed, a
  lot is drawn with ``random.Random(seed)`` (the NZ regulations' own
  pseudo-random generator is not reproduced; the seed is reported instead).
* when the hopeful candidates are no more than the seats left, they are all
  elected; the count ends when all seats are filled.

Bulk exclusion is not used.  Optional reserved-seat ``minimums`` follow
:class:`tribune.voting.stv_common.Minimums`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

import numpy as np

from tribune.voting.ballots import RankedProfile
from tribune.voting.result import Lot, Result, Stage, Tie, format_number
from tribune.voting.stv_common import Minimums, break_tie, order_by_votes, prepare, sum_by

__all__ = ["meek_stv"]

HOPEFUL, ELECTED, EXCLUDED = 0, 1, 2
MAX_ITERATIONS = 100_000
# prefixes are encoded in int64 while (n + 1) ** (seats + 2) stays below this
INCREMENTAL_LIMIT = 2**62


def meek_stv(
    profile: RankedProfile,
    seats: int,
    *,
    seed: int | None = None,
    omega: Fraction = Fraction(1, 10**6),
    decimal_places: int = 9,
    minimums: Mapping[str, tuple[Iterable[int], int]] | None = None,
) -> Result:
    """Count ``profile`` for ``seats`` by Meek's method in fixed-point arithmetic.

    ``omega`` is the convergence limit on the total surplus of the elected
    candidates; ``decimal_places`` the fixed-point precision (9 as in the NZ
    regulations).  ``seed`` seeds any lot; ``minimums`` maps a group name to
    ``(candidate indices, minimum elected)``.
    """
    if seats < 1:
        raise ValueError("seats must be >= 1")
    if decimal_places < 1:
        raise ValueError("decimal_places must be >= 1")
    omega = Fraction(omega)
    if omega <= 0:
        raise ValueError("omega must be positive")
    scale = 10**decimal_places
    data = prepare(profile)
    names = data.names
    n = data.n
    lot = Lot(seed)
    ties: list[Tie] = []
    stages: list[Stage] = []
    history: list[list[int]] = []
    guard = Minimums.build(minimums, n, data.withdrawn, seats, names)

    state = [HOPEFUL] * n
    for c in data.withdrawn:
        state[c] = EXCLUDED
    keep = [scale if state[c] == HOPEFUL else 0 for c in range(n)]
    elected: list[int] = []
    valid = data.valid
    bound = max(valid, 1) * scale
    # int64 products: value (<= scale) * keep factor (<= scale) must fit
    use_numpy = scale * scale < 2**62 and bound < 2**62

    def fx(value: int) -> Fraction | int:
        if value % scale == 0:
            return value // scale
        return Fraction(value, scale)

    base = n + 1
    matrix = data.matrix
    # Incremental prefixes: for every distinct ranking, the position of its
    # first hopeful candidate and an integer encoding the elected candidates
    # it passes on the way (digits c + 1 in base n + 1).  Candidates only ever
    # go from hopeful to elected or excluded, so the prefix only grows.
    incremental = matrix.shape[0] > 0 and base ** (seats + 2) < INCREMENTAL_LIMIT
    pos = np.zeros(matrix.shape[0], dtype=np.int64)
    prefix = np.zeros(matrix.shape[0], dtype=np.int64)
    head = matrix[:, 0].astype(np.int64) if matrix.shape[0] else np.zeros(0, np.int64)

    def refresh() -> None:
        """Move every ranking whose head is no longer hopeful to its next hopeful."""
        st = np.array([*state, EXCLUDED], dtype=np.int8)
        idx = np.nonzero((head != n) & (st[head] != HOPEFUL))[0]
        while len(idx):
            h = head[idx]
            passed = st[h] == ELECTED
            prefix[idx[passed]] = prefix[idx[passed]] * base + (h[passed] + 1)
            pos[idx] += 1
            head[idx] = matrix[idx, pos[idx]]
            h = head[idx]
            idx = idx[(h != n) & (st[h] != HOPEFUL)]

    def effective() -> tuple[np.ndarray, np.ndarray]:
        """Distinct ballot prefixes that matter while hopeful/elected sets are fixed.

        Only elected candidates (keep factor < 1 possible) and the first hopeful
        candidate on a ballot receive anything; excluded candidates pass
        everything on.  Ballots with equal prefixes are merged.
        """
        if not incremental:
            return effective_full()
        refresh()
        key = prefix * base + head
        uniq, inverse = np.unique(key, return_inverse=True)
        inverse = inverse.reshape(-1)
        weights = group_weights(inverse, len(uniq))
        # decode: last column the head, before it the elected prefix in order
        digits = []
        rest = uniq // base
        while rest.any():
            digits.append(rest % base)
            rest = rest // base
        rows = np.full((len(uniq), len(digits) + 1), n, dtype=np.int64)
        rows[:, -1] = uniq % base
        for j, d in enumerate(digits):  # least significant digit = last elected
            rows[:, -2 - j] = np.where(d > 0, d - 1, n)
        return rows, weights

    def group_weights(inverse: np.ndarray, size: int) -> np.ndarray:
        if valid < 2**53:
            out = np.bincount(inverse, weights=data.weights.astype(np.float64), minlength=size)
            return out.astype(np.int64)
        out = np.zeros(size, dtype=np.int64)
        np.add.at(out, inverse, data.weights)
        return out

    def effective_full() -> tuple[np.ndarray, np.ndarray]:
        """``effective`` recomputed from the full matrix (very many candidates/seats)."""
        st = np.array([*state, EXCLUDED], dtype=np.int8)
        m = matrix
        if m.shape[0] == 0:
            return np.zeros((0, 1), dtype=np.int64), np.zeros(0, dtype=np.int64)
        s = st[m]
        hop = s == HOPEFUL
        first_hop = np.where(hop.any(axis=1), hop.argmax(axis=1), m.shape[1])
        cols = np.arange(m.shape[1])[None, :]
        relevant = ((s == ELECTED) & (cols < first_hop[:, None])) | (cols == first_hop[:, None])
        width = max(1, min(int(relevant.sum(axis=1).max()), m.shape[1]))
        order = np.argsort(~relevant, axis=1, kind="stable")
        compact = np.take_along_axis(m, order[:, :width], axis=1).astype(np.int64)
        rel = np.take_along_axis(relevant, order[:, :width], axis=1)
        compact[~rel] = n
        rows, inverse = np.unique(compact, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        return rows, group_weights(inverse, len(rows))

    def distribute(rows: np.ndarray, weights: np.ndarray) -> tuple[list[int], int]:
        """One Meek distribution; returns (votes per candidate, excess)."""
        if use_numpy:
            kf = np.array([*keep, 0], dtype=np.int64)
            remaining = np.full(rows.shape[0], scale, dtype=np.int64)
            totals = np.zeros(n + 1, dtype=np.int64)
            for j in range(rows.shape[1]):
                col = rows[:, j]
                k = kf[col]
                kept = (remaining * k + (scale - 1)) // scale
                remaining -= kept
                totals += sum_by(col, kept * weights, n + 1, bound)
            excess = int((remaining * weights).sum())
            return [int(v) for v in totals[:n]], excess
        totals_py = [0] * (n + 1)
        excess = 0
        kf_py = [*keep, 0]
        for row, w in zip(rows.tolist(), weights.tolist(), strict=True):
            remaining = scale
            for c in row:
                k = kf_py[c]
                if k:
                    kept = -((-remaining * k) // scale)
                    remaining -= kept
                    totals_py[c] += kept * w
                    if remaining == 0:
                        break
            excess += remaining * w
        return totals_py[:n], excess

    def quota_of(votes: list[int]) -> int:
        return sum(votes) // (seats + 1) + 1

    def surplus_of(votes: list[int], quota: int) -> int:
        return max(sum(votes[c] - quota for c in elected), 0)

    def within_omega(surplus: int) -> bool:
        return surplus * omega.denominator < omega.numerator * scale

    hopeful = lambda: [c for c in range(n) if state[c] == HOPEFUL]  # noqa: E731

    def shown(votes: list[int]) -> dict[str, Fraction | int]:
        return {names[c]: fx(votes[c]) for c in range(n) if state[c] != EXCLUDED}

    def record(
        action: str, votes: list[int], before: list[int] | None, excess: int, quota: int, note: str
    ) -> Stage:
        transfers = {}
        if before is not None:
            for c in range(n):
                if c in data.withdrawn:
                    continue
                d = votes[c] - before[c]
                if d:
                    transfers[names[c]] = fx(d)
        quota_note = f"quota {format_number(Fraction(quota, scale))}"
        stage = Stage(
            number=len(stages) + 1,
            action=action,
            votes=shown(votes),
            exhausted=fx(excess),
            transfers=transfers,
            note=quota_note + ("; " + note if note else ""),
        )
        stages.append(stage)
        history.append(list(votes))
        return stage

    total_iterations = 0
    rows, weights = effective()
    votes, excess = distribute(rows, weights)
    quota = quota_of(votes)
    current = record("First preferences", votes, None, excess, quota, "")
    prior = list(votes)

    while True:
        # elect every hopeful candidate at or above the quota
        reached = [c for c in hopeful() if votes[c] >= quota]
        changed = False
        if reached:
            order = order_by_votes(
                reached,
                votes,
                history[:-1],
                most_recent_first=False,
                lot=lot,
                stage=current.number,
                purpose="order of election",
                names=names,
                ties=ties,
            )
            for c in order:
                if len(elected) >= seats:
                    break
                left = seats - len(elected)
                cont = set(hopeful())
                if guard.can_elect(c, cont, set(elected), left):
                    state[c] = ELECTED
                    elected.append(c)
                    current.elected.append(names[c])
                    continue
                else:
                    state[c] = EXCLUDED
                    keep[c] = 0
                    current.excluded.append(names[c])
                    current.note += (
                        "; deferred: electing them would leave too few places for a minimum"
                    )
                changed = True
        if len(elected) >= seats:
            break
        left = seats - len(elected)
        cont = hopeful()
        if len(cont) <= left:
            for c in order_by_votes(
                cont,
                votes,
                history[:-1],
                most_recent_first=False,
                lot=lot,
                stage=current.number,
                purpose="order of election",
                names=names,
                ties=ties,
            ):
                state[c] = ELECTED
                elected.append(c)
                current.elected.append(names[c])
            current.note += "; hopeful candidates equal the seats left"
            break
        rows, weights = effective()
        if changed:
            votes, excess = distribute(rows, weights)
            quota = quota_of(votes)
        # iterate keep factors until converged, stable, or someone reaches the quota
        surplus = surplus_of(votes, quota)
        iterations = 0
        why = ""
        if not within_omega(surplus):
            last = surplus
            while True:
                for c in elected:
                    if votes[c] > 0:
                        product = -((-keep[c] * quota) // scale)
                        keep[c] = min(scale, -((-product * scale) // votes[c]))
                votes, excess = distribute(rows, weights)
                quota = quota_of(votes)
                iterations += 1
                total_iterations += 1
                if any(votes[c] >= quota for c in hopeful()):
                    why = "a candidate reached the quota"
                    break
                surplus = surplus_of(votes, quota)
                shown_surplus = format_number(Fraction(surplus, scale))
                if within_omega(surplus):
                    why = f"total surplus {shown_surplus} < omega {format_number(omega)}"
                    break
                if surplus >= last:
                    why = f"total surplus {shown_surplus} stopped decreasing"
                    break
                if iterations >= MAX_ITERATIONS:
                    why = f"iteration limit {MAX_ITERATIONS} reached"
                    break
                last = surplus
            current = record(
                "Transfer of surpluses",
                votes,
                prior,
                excess,
                quota,
                f"{iterations} iteration(s); {why}",
            )
            prior = list(votes)
            if why == "a candidate reached the quota":
                continue
        # minimums: every place left is needed by a group -> exclude outsiders first
        cont_set = set(hopeful())
        outsiders = guard.outsiders(cont_set, set(elected), left)
        candidates = outsiders or [
            c for c in cont_set if guard.can_exclude(c, cont_set, set(elected), left)
        ]
        if not candidates:
            candidates = sorted(cont_set)
        low = min(votes[c] for c in candidates)
        tied = [c for c in candidates if votes[c] == low]
        c = break_tie(
            tied,
            history[:-1],
            lowest=True,
            most_recent_first=False,
            lot=lot,
            stage=current.number + 1,
            purpose="exclusion",
            names=names,
            ties=ties,
        )
        if outsiders:
            note = "every place left is needed to meet a minimum"
        elif len(candidates) < len(cont_set) and min(votes[d] for d in cont_set) < low:
            note = "lowest vote among candidates whose exclusion keeps every minimum reachable"
        else:
            note = "lowest vote"
        state[c] = EXCLUDED
        keep[c] = 0
        rows, weights = effective()
        votes, excess = distribute(rows, weights)
        quota = quota_of(votes)
        current = record(f"Exclusion of {names[c]}", votes, prior, excess, quota, note)
        current.excluded.append(names[c])
        prior = list(votes)

    parameters: dict[str, object] = {
        "rules": "Meek STV, Algorithm 123 (Hill, Wichmann, Woodall 1987) / NZ Local "
        "Electoral Regulations 2001 Sch. 1A",
        "decimal_places": decimal_places,
        "omega": omega,
        "convergence": "total surplus of elected candidates < omega, or it stops decreasing",
        "surplus_limit": omega,
        "keep_factor_rounding": "up",
        "quota": "(votes - excess) / (seats + 1), truncated, plus one unit of the last place",
        "iterations": total_iterations,
        "keep_factors": {names[c]: fx(keep[c]) for c in elected},
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
        method="meek-stv",
        seats=seats,
        elected=[names[c] for c in elected],
        quota=fx(quota),
        stages=stages,
        ties=ties,
        seed=lot.seed,
        valid_ballots=valid,
        invalid_ballots=data.invalid,
        parameters=parameters,
    )
