"""Property tests: our counts agree with pref_voting, an independent library.

pref_voting returns the *set* of winners when a tie makes the outcome depend
on tie-breaking (parallel-universe tie-breaking for IRV; any order of equal
pairs for ranked pairs; all undefeated candidates for Schulze).  Our methods
break ties by published rules and lots, so we assert: our winner is in that
set, and equals it when the set has one element.

Profiles are small (<= 5 candidates) so that ties are frequent.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pref_voting.grade_methods import approval as pv_approval
from pref_voting.grade_methods import score_voting as pv_score
from pref_voting.grade_methods import star as pv_star
from pref_voting.grade_profiles import GradeProfile
from pref_voting.iterative_methods import instant_runoff_put
from pref_voting.margin_based_methods import beat_path
from pref_voting.margin_based_methods import ranked_pairs as pv_ranked_pairs
from pref_voting.profiles import Profile
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import plurality as pv_plurality

from tribune.voting import (
    ApprovalProfile,
    RankedProfile,
    ScoreProfile,
    approval,
    irv,
    plurality,
    ranked_pairs,
    schulze,
    score,
    star,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def linear_profiles(draw, max_candidates: int = 5):
    """Complete rankings (linear orders) with weights."""
    n = draw(st.integers(1, max_candidates))
    k = draw(st.integers(1, 7))
    rankings = [tuple(draw(st.permutations(range(n)))) for _ in range(k)]
    weights = [draw(st.integers(1, 4)) for _ in range(k)]
    return n, rankings, weights


@st.composite
def truncated_profiles(draw, max_candidates: int = 5):
    """Truncated rankings (each ballot ranks at least one candidate)."""
    n = draw(st.integers(2, max_candidates))
    k = draw(st.integers(1, 7))
    rankings = []
    for _ in range(k):
        perm = draw(st.permutations(range(n)))
        length = draw(st.integers(1, n))
        rankings.append(tuple(perm[:length]))
    weights = [draw(st.integers(1, 4)) for _ in range(k)]
    return n, rankings, weights


def ours(n: int, rankings, weights) -> RankedProfile:
    return RankedProfile.from_rankings([f"c{i}" for i in range(n)], rankings, weights)


def index(name: str) -> int:
    return int(name[1:])


def pv_linear(rankings, weights) -> Profile:
    return Profile([list(r) for r in rankings], rcounts=list(weights))


def pv_truncated(n: int, rankings, weights) -> ProfileWithTies:
    prof = ProfileWithTies(
        [{c: rank for rank, c in enumerate(r, 1)} for r in rankings],
        rcounts=list(weights),
        candidates=list(range(n)),
    )
    prof.use_extended_strict_preference()  # ranked above unranked, as in our counts
    return prof


def check(winner: int, expected: list[int]) -> None:
    assert winner in expected, (winner, expected)
    if len(expected) == 1:
        assert winner == expected[0]


@SETTINGS
@given(linear_profiles(), st.integers(0, 2**32))
def test_irv_linear(data, seed):
    n, rankings, weights = data
    result = irv(ours(n, rankings, weights), seed=seed)
    check(index(result.elected[0]), instant_runoff_put(pv_linear(rankings, weights)))


@SETTINGS
@given(truncated_profiles(), st.integers(0, 2**32))
def test_irv_truncated(data, seed):
    n, rankings, weights = data
    result = irv(ours(n, rankings, weights), seed=seed)
    check(index(result.elected[0]), instant_runoff_put(pv_truncated(n, rankings, weights)))


@SETTINGS
@given(linear_profiles(), st.integers(0, 2**32))
def test_schulze_linear(data, seed):
    """On complete rankings winning votes and margins agree; pref_voting uses margins."""
    n, rankings, weights = data
    result = schulze(ours(n, rankings, weights), seed=seed)
    check(index(result.elected[0]), beat_path(pv_linear(rankings, weights)))


@SETTINGS
@given(truncated_profiles(), st.integers(0, 2**32))
def test_schulze_truncated_winning_votes(data, seed):
    """Truncated ballots: compare with pref_voting's beat path on winning-vote strengths."""
    n, rankings, weights = data
    prof = pv_truncated(n, rankings, weights)
    result = schulze(ours(n, rankings, weights), seed=seed)
    check(index(result.elected[0]), beat_path(prof, strength_function=prof.support))


@SETTINGS
@given(truncated_profiles(), st.integers(0, 2**32))
def test_schulze_ranking_is_consistent(data, seed):
    """Each prefix of our ranking: its head is a Schulze winner of the rest."""
    n, rankings, weights = data
    result = schulze(ours(n, rankings, weights), seed=seed)
    order = [index(c) for c in result.ranking]
    assert sorted(order) == list(range(n))
    prof = pv_truncated(n, rankings, weights)
    winners = beat_path(prof, strength_function=prof.support)
    assert order[0] in winners
    # every Schulze winner comes before every non-winner in our ranking
    last_winner = max(order.index(w) for w in winners)
    assert last_winner == len(winners) - 1


@SETTINGS
@given(linear_profiles(max_candidates=4), st.integers(0, 2**32))
def test_ranked_pairs_linear(data, seed):
    """pref_voting's winners from stacks (Zavist & Tideman: a candidate wins under some
    tie-breaking iff it heads a stack), checking the 4! orders of the candidates. Its
    "basic" algorithm finds the same set by trying every order of the tied pairs: up to
    12! for four candidates, 7 million orders and 13 minutes of CI for one example set."""
    n, rankings, weights = data
    result = ranked_pairs(ours(n, rankings, weights), seed=seed)
    winners = pv_ranked_pairs(pv_linear(rankings, weights), algorithm="from_stacks")
    check(index(result.elected[0]), winners)
    assert sorted(index(c) for c in result.ranking) == list(range(n))


@SETTINGS
# Three candidates: pref_voting tries every order of equally strong pairs, and with
# truncated ballots four candidates can tie all twelve (12! orders: an endless run).
@given(truncated_profiles(max_candidates=3), st.integers(0, 2**32))
def test_ranked_pairs_truncated_winning_votes(data, seed):
    n, rankings, weights = data
    prof = pv_truncated(n, rankings, weights)
    result = ranked_pairs(ours(n, rankings, weights), seed=seed)
    check(index(result.elected[0]), pv_ranked_pairs(prof, strength_function=prof.support))


@SETTINGS
@given(truncated_profiles(), st.integers(0, 2**32))
def test_plurality(data, seed):
    n, rankings, weights = data
    result = plurality(ours(n, rankings, weights), seed=seed)
    check(index(result.elected[0]), pv_plurality(pv_truncated(n, rankings, weights)))


@st.composite
def grade_ballots(draw, grades: int):
    n = draw(st.integers(1, 5))
    k = draw(st.integers(1, 7))
    ballots = [tuple(draw(st.integers(0, grades)) for _ in range(n)) for _ in range(k)]
    weights = [draw(st.integers(1, 4)) for _ in range(k)]
    return n, ballots, weights


def grade_profile(n, ballots, weights, grades):
    return GradeProfile(
        [{c: g for c, g in enumerate(b)} for b in ballots],
        list(range(grades + 1)),
        gcounts=list(weights),
        candidates=list(range(n)),
    )


@SETTINGS
@given(grade_ballots(1), st.integers(0, 2**32))
def test_approval(data, seed):
    n, ballots, weights = data
    names = [f"c{i}" for i in range(n)]
    profile = ApprovalProfile.from_approvals(
        names, [{c for c, g in enumerate(b) if g} for b in ballots], weights
    )
    result = approval(profile, seed=seed)
    check(index(result.elected[0]), pv_approval(grade_profile(n, ballots, weights, 1)))


@SETTINGS
@given(grade_ballots(5), st.integers(0, 2**32))
def test_score_and_star(data, seed):
    n, ballots, weights = data
    names = [f"c{i}" for i in range(n)]
    profile = ScoreProfile.from_scores(names, ballots, weights, max_score=5)
    gp = grade_profile(n, ballots, weights, 5)
    check(index(score(profile, seed=seed).elected[0]), pv_score(gp))
    winner = index(star(profile, seed=seed).elected[0])
    # pref_voting's STAR keeps every runoff tie; ours breaks it by total score, then lot
    assert winner in pv_star(gp)


@SETTINGS
@given(truncated_profiles(), st.integers(1, 3), st.integers(0, 2**32))
def test_multi_seat_top_n(data, seats, seed):
    """Block plurality elects the candidates with the most first preferences."""
    n, rankings, weights = data
    seats = min(seats, n)
    result = plurality(ours(n, rankings, weights), seats=seats, seed=seed)
    scores = pv_truncated(n, rankings, weights).plurality_scores()
    got = sorted(scores[index(c)] for c in result.elected)
    assert got == sorted(scores.values())[-seats:]
