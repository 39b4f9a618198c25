"""Tribune's vote-counting engine (plain Python, no Django).

Why hand-written: no well-kept library counts ballots by the statutory rules
organisations adopt (Scottish STV, Meek STV, motions with quorums and
supermajorities) *and* reports every stage, every transfer and every tie so a
returning officer can publish the count and any member can check it.  The
package is used by the web app and stands alone as ``python -m tribune.voting``.

Every counting function takes a profile (``ballots.py``) and returns a
:class:`Result` (``result.py``); the rules of each method are stated in its
module docstring and in ``docs/voting.md``.
"""

from tribune.voting.approval import approval
from tribune.voting.ballot_files import read_ballots
from tribune.voting.ballots import (
    ApprovalProfile,
    BallotFileError,
    ChoiceProfile,
    RankedProfile,
    ScoreProfile,
)
from tribune.voting.blt import read_blt, write_blt
from tribune.voting.irv import irv
from tribune.voting.motion import MotionResult, MotionRule, motion
from tribune.voting.pairwise import pairwise_matrix
from tribune.voting.plurality import plurality
from tribune.voting.ranked_pairs import ranked_pairs
from tribune.voting.result import Lot, Result, Stage, Tie
from tribune.voting.schulze import schulze
from tribune.voting.score import score, star
from tribune.voting.stv_meek import meek_stv
from tribune.voting.stv_scottish import scottish_stv

__all__ = [
    "ApprovalProfile",
    "BallotFileError",
    "ChoiceProfile",
    "Lot",
    "MotionResult",
    "MotionRule",
    "RankedProfile",
    "Result",
    "ScoreProfile",
    "Stage",
    "Tie",
    "approval",
    "irv",
    "meek_stv",
    "motion",
    "pairwise_matrix",
    "plurality",
    "ranked_pairs",
    "read_ballots",
    "read_blt",
    "schulze",
    "score",
    "scottish_stv",
    "star",
    "write_blt",
]
