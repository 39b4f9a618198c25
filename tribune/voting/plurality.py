"""Plurality (first-past-the-post, or block vote for several seats).

Why hand-written: the count is trivial, but the result must use the same
record (stages, ties, lots with seeds) as every other method, and it must
read first preferences from ranked (BLT) ballots with withdrawn candidates
skipped, as well as single-choice ballots.
"""

from __future__ import annotations

from tribune.voting.ballots import ChoiceProfile, RankedProfile
from tribune.voting.result import Lot, Result, Stage
from tribune.voting.selection import select_top


def plurality(
    profile: RankedProfile | ChoiceProfile, *, seats: int = 1, seed: int | None = None
) -> Result:
    """Elect the ``seats`` candidates with the most first preferences.

    With ranked ballots the first preference is the highest-ranked candidate
    who is not withdrawn.  A tie for the last seat is broken by lot.
    """
    names = profile.candidates
    if isinstance(profile, RankedProfile):
        grouped = profile.grouped()
        eligible = [c for c in range(len(names)) if c not in grouped.withdrawn]
        totals = {c: 0 for c in eligible}
        for ranking, weight in grouped.ballots:
            totals[ranking[0]] += weight
        invalid = grouped.dropped
    else:
        totals = {c: 0 for c in range(len(names))}
        for choice, weight in profile.ballots:
            totals[choice] += weight
        invalid = profile.dropped
    if not 1 <= seats <= len(totals):
        raise ValueError(f"seats must be between 1 and {len(totals)}")
    lot = Lot(seed)
    elected, ranking, ties = select_top(totals, seats, names, lot)
    stage = Stage(
        number=1,
        action="First preferences" if isinstance(profile, RankedProfile) else "Votes",
        votes={names[c]: totals[c] for c in ranking},
        elected=[names[c] for c in elected],
        note="highest vote" + ("s" if seats > 1 else ""),
    )
    return Result(
        method="plurality",
        seats=seats,
        elected=[names[c] for c in elected],
        ranking=[names[c] for c in ranking],
        stages=[stage],
        ties=ties,
        seed=lot.seed,
        valid_ballots=sum(totals.values()),
        invalid_ballots=invalid,
        parameters={"title": profile.title} if profile.title else {},
    )
