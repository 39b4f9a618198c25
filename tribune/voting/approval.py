"""Approval voting: each voter approves any number of candidates.

Why hand-written: so approval counts carry the same auditable record (stage
table, ties, seeded lots) as every other method.  Ballots approving nobody
are valid ballots (they were cast) that add nothing to anyone.
"""

from __future__ import annotations

from tribune.voting.ballots import ApprovalProfile
from tribune.voting.result import Lot, Result, Stage
from tribune.voting.selection import select_top


def approval(profile: ApprovalProfile, *, seats: int = 1, seed: int | None = None) -> Result:
    """Elect the ``seats`` candidates with the most approvals; last-seat ties by lot."""
    names = profile.candidates
    if not 1 <= seats <= len(names):
        raise ValueError(f"seats must be between 1 and {len(names)}")
    totals = {c: 0 for c in range(len(names))}
    for approved, weight in profile.ballots:
        for c in approved:
            totals[c] += weight
    lot = Lot(seed)
    elected, ranking, ties = select_top(totals, seats, names, lot)
    stage = Stage(
        number=1,
        action="Approvals",
        votes={names[c]: totals[c] for c in ranking},
        elected=[names[c] for c in elected],
        note="most approvals",
    )
    return Result(
        method="approval",
        seats=seats,
        elected=[names[c] for c in elected],
        ranking=[names[c] for c in ranking],
        stages=[stage],
        ties=ties,
        seed=lot.seed,
        valid_ballots=profile.total_weight,
        invalid_ballots=profile.dropped,
        parameters={"title": profile.title} if profile.title else {},
    )
