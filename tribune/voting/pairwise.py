"""The pairwise preference matrix of a ranked profile, built fast and exactly.

Why hand-written: Schulze and ranked pairs need ``d[a][b]``, the number of
ballots ranking ``a`` above ``b`` (a ranked candidate is above every unranked
one; two unranked candidates are equal).  With a million ballots the matrix
must be built with numpy, yet every count must stay an exact integer.

How: identical ballots are merged first.  For the distinct rankings we build
a position array ``pos[c, k]`` (rank of candidate ``c`` on ranking ``k``;
unranked = a large sentinel) and count ``pos[a] < pos[b]`` with
``np.count_nonzero``.  Weights are handled bit by bit: the rankings whose
weight has bit ``i`` set contribute ``count << i``.  All sums are integers;
there is no floating point.
"""

from __future__ import annotations

import numpy as np

from tribune.voting.ballots import RankedProfile


def position_array(profile: RankedProfile) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(pos, weights)`` for the grouped profile.

    ``pos`` has shape ``(n, k)`` (candidate by distinct ranking), dtype int8
    (int16 above 120 candidates); unranked and withdrawn candidates hold the
    sentinel ``n``.  ``weights`` is int64 of length ``k``.
    """
    n = len(profile.candidates)
    ranks, _, weights = profile.arrays()
    k = ranks.shape[0]
    dtype = np.int8 if n < 120 else np.int16
    pos = np.full((n + 1, k), n, dtype=dtype)  # row n collects the padding
    rows = np.broadcast_to(np.arange(k), ranks.T.shape)
    cols = np.broadcast_to(np.arange(ranks.shape[1], dtype=dtype)[:, None], ranks.T.shape)
    pos[ranks.T, rows] = cols
    return np.ascontiguousarray(pos[:n]), weights


def pairwise_matrix(profile: RankedProfile) -> list[list[int]]:
    """``d[a][b]`` = total weight of ballots ranking ``a`` above ``b`` (exact ints)."""
    n = len(profile.candidates)
    pos, weights = position_array(profile)
    d = [[0] * n for _ in range(n)]
    if weights.size == 0:
        return d
    skip = profile.withdrawn
    top_bit = int(weights.max()).bit_length()
    for bit in range(top_bit):
        selected = ((weights >> bit) & 1).astype(bool)
        if not selected.any():
            continue
        block = pos if selected.all() else np.ascontiguousarray(pos[:, selected])
        for a in range(n):
            if a in skip:
                continue
            row = block[a]
            da = d[a]
            for b in range(n):
                if a != b and b not in skip:
                    da[b] += int(np.count_nonzero(row < block[b])) << bit
    return d
