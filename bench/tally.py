"""Benchmark of the voting engine (``tribune.voting``) on realistic ballots.

Why hand-written: the targets in the voting-engine issue (a million ballots
counted by Scottish STV and Meek STV in under 3 s, Schulze on 20 options in
under 2 s, peak memory under 500 MB) need ballots that look like a real
election, not uniform noise: most voters follow a few party "slates" in
roughly the party's order, many stop after their own party, some carry on to
an allied party, and a minority rank at random.  This script generates such
ballots with a fixed seed, times every counting method of the package on
them, times the same profile (a smaller one -- pref_voting is pure Python)
in pref_voting, the independent library the tests compare against, and
prints the ratio.

Usage::

    python bench/tally.py                 # 1,000,000 ballots
    python bench/tally.py --ballots 200000
    python bench/tally.py --quick         # 50,000 ballots, smaller pref_voting run

Profiles: A (15 candidates, five party slates, individual deviations,
truncation, 10 % random ballots), B (the same with 20 candidates, for
Schulze's 20 options), C (every ballot a random truncated order: the worst
case for grouping).  Counts are timed best of three, each on a fresh copy of
the profile (no cached arrays); "traced peak" is the peak of memory allocated
during one count (tracemalloc), "process RSS" the peak resident size of the
whole benchmark process so far (dominated by generating the ballots).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import common  # noqa: E402  (bench/ is the script's folder)

from tribune.voting import (  # noqa: E402
    ApprovalProfile,
    RankedProfile,
    ScoreProfile,
    approval,
    irv,
    meek_stv,
    plurality,
    ranked_pairs,
    schulze,
    score,
    scottish_stv,
    star,
)

SEED = 20070503  # the date of the 2007 Scottish council elections


def machine() -> str:
    return f"{common.machine()} | numpy {np.__version__}"


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(
    n_ballots: int, n_candidates: int, *, seed: int = SEED, parties: int = 5, noise: float = 0.1
) -> RankedProfile:
    """Ranked ballots with party slates, truncation and noise (grouped)."""
    rng = np.random.default_rng(seed)
    cands = np.arange(n_candidates)
    rng.shuffle(cands)
    slates = [list(s) for s in np.array_split(cands, parties)]
    share = rng.dirichlet(np.full(parties, 2.0))
    # each party's voters: a favourite order of the slate and a second party
    allies = [(p + 1 + rng.integers(parties - 1)) % parties for p in range(parties)]

    # distinct "patterns" (a slate in a party order, with small swaps, maybe
    # followed by an allied slate), each with a popularity
    patterns: list[tuple[int, ...]] = []
    weights: list[float] = []
    for p in range(parties):
        base = slates[p]
        for _ in range(60):
            order = list(base)
            for _swap in range(rng.poisson(0.7)):
                i, j = rng.integers(len(order), size=2)
                order[i], order[j] = order[j], order[i]
            keep = max(1, len(order) - int(rng.geometric(0.5)) + 1)
            ranking = order[:keep]
            if keep == len(order) and rng.random() < 0.5:
                ally = list(slates[allies[p]])
                rng.shuffle(ally)
                ranking += ally[: 1 + rng.integers(len(ally))]
            patterns.append(tuple(int(c) for c in ranking))
            weights.append(share[p] * rng.pareto(1.5))
    w = np.array(weights)
    w /= w.sum()

    n_noise = int(n_ballots * noise)
    n_slate = n_ballots - n_noise
    width = n_candidates + 1
    table = np.full((len(patterns), width), -1, dtype=np.int64)
    for i, pattern in enumerate(patterns):
        table[i, : len(pattern)] = pattern
    lengths_of = np.array([len(p) for p in patterns])
    picks = rng.choice(len(patterns), size=n_slate, p=w)
    rows = table[picks]
    lengths = lengths_of[picks]
    # individual voters deviate from their slate: swap two neighbours ...
    swap = rng.random(n_slate) < 0.25
    pos = (rng.random(n_slate) * np.maximum(lengths - 1, 1)).astype(np.int64)
    ok = swap & (lengths > 1)
    idx = np.nonzero(ok)[0]
    a, b = rows[idx, pos[idx]], rows[idx, pos[idx] + 1]
    rows[idx, pos[idx]], rows[idx, pos[idx] + 1] = b, a
    # ... stop early ...
    cut = rng.random(n_slate) < 0.2
    new_len = 1 + (rng.random(n_slate) * lengths).astype(np.int64)
    lengths = np.where(cut, np.minimum(new_len, lengths), lengths)
    # ... or add a few candidates they like from elsewhere
    extra = (rng.random(n_slate) < 0.15) & (lengths < n_candidates)
    counts: Counter[tuple[int, ...]] = Counter()
    for length in range(1, width):
        sel = np.nonzero((lengths == length) & ~extra)[0]
        if len(sel):
            counts.update(map(tuple, rows[sel, :length].tolist()))
    for i in np.nonzero(extra)[0].tolist():
        head = rows[i, : lengths[i]].tolist()
        rest = [c for c in rng.permutation(n_candidates).tolist() if c not in head]
        counts[tuple(head + rest[: 1 + int(rng.integers(3))])] += 1
    # noise: random orders of random length
    if n_noise:
        order = np.argsort(rng.random((n_noise, n_candidates)), axis=1)
        noise_len = np.minimum(rng.geometric(0.2, size=n_noise), n_candidates)
        for length in range(1, n_candidates + 1):
            sel = order[noise_len == length, :length]
            if len(sel):
                counts.update(map(tuple, sel.tolist()))
    names = tuple(f"Candidate {i + 1:02d}" for i in range(n_candidates))
    return RankedProfile(names, tuple(counts.items())).grouped()


def approvals_from(profile: RankedProfile, k: int = 3) -> ApprovalProfile:
    counts: Counter[frozenset[int]] = Counter()
    for ranking, w in profile.ballots:
        counts[frozenset(ranking[:k])] += w
    return ApprovalProfile(profile.candidates, tuple(counts.items()))


def scores_from(profile: RankedProfile, top: int = 5) -> ScoreProfile:
    n = len(profile.candidates)
    counts: Counter[tuple[int, ...]] = Counter()
    for ranking, w in profile.ballots:
        s = [0] * n
        for i, c in enumerate(ranking[:top]):
            s[c] = top - i
        counts[tuple(s)] += w
    return ScoreProfile(profile.candidates, tuple(counts.items()), max_score=top)


def traced_peak_mb(fn: Callable[[], Any]) -> float:
    """Peak memory allocated while ``fn`` runs (tracemalloc sees numpy buffers too)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def pref_voting_version() -> str:
    try:
        from importlib.metadata import version

        return version("pref_voting")
    except Exception:  # pragma: no cover - version lookup is cosmetic
        return "(unknown version)"


def pref_voting_input(profile: RankedProfile) -> tuple[list[dict[int, int]], list[int], list[int]]:
    """The grouped ballots in pref_voting's form (rank dicts and counts)."""
    rankings = [{c: i + 1 for i, c in enumerate(r)} for r, _ in profile.ballots]
    counts = [w for _, w in profile.ballots]
    return rankings, counts, list(range(len(profile.candidates)))


def pref_voting_profile(data: tuple[list[dict[int, int]], list[int], list[int]]) -> Any:
    from pref_voting.profiles_with_ties import ProfileWithTies

    rankings, counts, candidates = data
    built = ProfileWithTies(rankings, rcounts=counts, candidates=candidates)
    built.use_extended_strict_preference()
    return built


def fresh(profile: RankedProfile) -> RankedProfile:
    """A copy without the cached rank arrays, so each timed count builds its own."""
    return replace(profile)


def compare_with_pref_voting(
    profile: RankedProfile, seats: int, methods: tuple[str, ...]
) -> list[tuple[str, float, float, bool]]:
    """Time our methods and pref_voting's on ``profile``; also check the winners agree."""
    import pref_voting.proportional_methods as pm
    from pref_voting.iterative_methods import instant_runoff as pv_irv
    from pref_voting.margin_based_methods import beat_path as pv_schulze
    from pref_voting.margin_based_methods import ranked_pairs as pv_ranked_pairs

    data = pref_voting_input(profile)
    index = {name: i for i, name in enumerate(profile.candidates)}
    pairs: dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]] = {
        "scottish-stv": (
            lambda: scottish_stv(fresh(profile), seats, seed=1),
            lambda p: pm.stv_scottish(p, num_seats=seats),
        ),
        "meek-stv": (
            lambda: meek_stv(fresh(profile), seats, seed=1),
            lambda p: pm.stv_meek(p, num_seats=seats),
        ),
        "irv": (lambda: irv(fresh(profile), seed=1), pv_irv),
        "schulze": (lambda: schulze(fresh(profile)), pv_schulze),
        "ranked-pairs": (lambda: ranked_pairs(fresh(profile), seed=1), pv_ranked_pairs),
    }
    rows = []
    for name in methods:
        ours, theirs = pairs[name]
        t_ours, result = timed(ours, repeat=3)
        # pref_voting builds its profile (and its majority graph) from the same
        # grouped ballots inside the timed call, as our count builds its arrays
        t_theirs, winners = timed(lambda theirs=theirs: theirs(pref_voting_profile(data)))
        same = sorted(index[c] for c in result.elected) == sorted(winners)
        rows.append((name, t_ours, t_theirs, same))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50,000 ballots; small comparison")
    parser.add_argument("--seats", type=int, default=5)
    parser.add_argument(
        "--compare-ballots",
        type=int,
        default=10_000,
        help="profile size also counted by pref_voting (default 10,000)",
    )
    parser.add_argument(
        "--compare-meek-ballots",
        type=int,
        default=2_000,
        help="profile size for pref_voting's (slow, float) Meek STV (default 2,000)",
    )
    args = parser.parse_args(argv)
    n = 50_000 if args.quick else args.ballots
    compare_n = 2_000 if args.quick else args.compare_ballots
    compare_meek = 500 if args.quick else args.compare_meek_ballots

    print(f"Machine: {machine()}")
    print(f"Command: python bench/tally.py {' '.join(argv if argv is not None else sys.argv[1:])}")
    print(f"Seed: {SEED}")

    t_gen, stv_profile = timed(lambda: generate(n, 15))
    print(
        f"\nProfile A: {n:,} ballots, 15 candidates, {len(stv_profile.ballots):,} distinct "
        f"rankings (generated and grouped in {t_gen:.2f} s); peak RSS {peak_rss_mb():.0f} MB"
    )
    t_gen, big_profile = timed(lambda: generate(n, 20, seed=SEED + 1))
    print(
        f"Profile B: {n:,} ballots, 20 candidates, {len(big_profile.ballots):,} distinct "
        f"rankings (generated and grouped in {t_gen:.2f} s); peak RSS {peak_rss_mb():.0f} MB"
    )
    t_gen, random_profile = timed(lambda: generate(n, 15, seed=SEED + 3, noise=1.0))
    print(
        f"Profile C: {n:,} ballots, 15 candidates, every ballot a random truncated order "
        f"(worst case: {len(random_profile.ballots):,} distinct rankings; generated in "
        f"{t_gen:.2f} s); peak RSS {peak_rss_mb():.0f} MB"
    )
    approvals = approvals_from(stv_profile)
    scores = scores_from(stv_profile)

    print(
        f"\n{'method':<30} {'time (s)':>9} {'traced peak (MB)':>17} "
        f"{'process RSS (MB)':>17}  winners"
    )
    runs: list[tuple[str, Callable[[], Any]]] = [
        (
            f"scottish-stv A, {args.seats} seats",
            lambda: scottish_stv(fresh(stv_profile), args.seats, seed=1),
        ),
        (
            f"meek-stv A, {args.seats} seats",
            lambda: meek_stv(fresh(stv_profile), args.seats, seed=1),
        ),
        ("schulze B (20 options)", lambda: schulze(fresh(big_profile))),
        ("ranked-pairs B (20 options)", lambda: ranked_pairs(fresh(big_profile), seed=1)),
        ("irv A", lambda: irv(fresh(stv_profile), seed=1)),
        ("plurality A", lambda: plurality(fresh(stv_profile), seed=1)),
        ("approval A (top 3 approved)", lambda: approval(approvals, seed=1)),
        ("score A (top 5 scored)", lambda: score(scores, seed=1)),
        ("star A (top 5 scored)", lambda: star(scores, seed=1)),
        (
            f"scottish-stv C, {args.seats} seats",
            lambda: scottish_stv(fresh(random_profile), args.seats, seed=1),
        ),
        (
            f"meek-stv C, {args.seats} seats",
            lambda: meek_stv(fresh(random_profile), args.seats, seed=1),
        ),
        ("schulze C (15 options)", lambda: schulze(fresh(random_profile))),
    ]
    for label, fn in runs:
        t, result = timed(fn, repeat=3)
        traced = traced_peak_mb(fn)
        shown = ", ".join(c.replace("Candidate ", "C") for c in result.elected) or "-"
        extra = ""
        if result.method == "meek-stv":
            extra = f" ({result.parameters['iterations']} iterations)"
        print(f"{label:<30} {t:>9.3f} {traced:>17.1f} {peak_rss_mb():>17.0f}  {shown}{extra}")

    # the whole path from one ranking per ballot: grouping included
    # distinct tuple objects, as if read one by one from a ballot box
    raw = [tuple(list(r)) for r in stv_profile.rankings()]
    names = stv_profile.candidates
    print(f"\nFrom {len(raw):,} raw ballots (one ranking each), grouping included:")
    for label, method in (("scottish-stv", scottish_stv), ("meek-stv", meek_stv)):
        t, result = timed(
            lambda method=method, raw=raw: method(
                RankedProfile.from_rankings(names, raw, validate=False), args.seats, seed=1
            )
        )
        print(f"{label + ' A, group + count':<30} {t:>9.3f} {'':>17} {peak_rss_mb():>17.0f}")
    del raw

    print(
        "\nThe same generator, smaller profiles, counted by tribune.voting and by pref_voting "
        f"{pref_voting_version()}.\nEach side builds its own structures (our rank arrays, "
        "pref_voting's ProfileWithTies) from the same grouped ballots inside the timed call; "
        "'same' = same winners."
    )
    print(
        f"{'method':<14} {'ballots':>8} {'distinct':>9} {'tribune (s)':>12} "
        f"{'pref_voting (s)':>16} {'ratio':>9}  same"
    )
    plan = [
        (compare_n, ("scottish-stv", "irv", "schulze", "ranked-pairs")),
        (compare_meek, ("meek-stv",)),
    ]
    for size, methods in plan:
        small = generate(size, 15, seed=SEED + 2)
        for name, ours, theirs, same in compare_with_pref_voting(small, args.seats, methods):
            print(
                f"{name:<14} {size:>8,} {len(small.ballots):>9,} {ours:>12.4f} {theirs:>16.4f} "
                f"{theirs / ours:>8.1f}x  {'yes' if same else 'NO'}"
            )
    print(f"\nPeak RSS of the whole run: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
