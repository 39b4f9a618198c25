"""Tribune's vote-counting engine (plain Python, no Django).

Why hand-written: no well-kept library counts ballots by the statutory rules
organisations adopt (Scottish STV, Meek STV, motions with quorums and
supermajorities) *and* reports every stage, every transfer and every tie so a
returning officer can publish the count and any member can check it.  The
package is used by the web app and stands alone as ``python -m tribune.voting``.
"""

from tribune.voting.ballots import (
    ApprovalProfile,
    BallotFileError,
    ChoiceProfile,
    RankedProfile,
    ScoreProfile,
)
from tribune.voting.result import Lot, Result, Stage, Tie

__all__ = [
    "ApprovalProfile",
    "BallotFileError",
    "ChoiceProfile",
    "Lot",
    "RankedProfile",
    "Result",
    "ScoreProfile",
    "Stage",
    "Tie",
]
