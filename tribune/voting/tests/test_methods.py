"""Hand-checked counts for the single-winner and non-ranked methods.

Each expected result below was worked out by hand (or is a published
textbook example, cited) so the tests check our rules, including the
tie-breaking rules pref_voting cannot check (it reports all tied winners).
"""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tribune.voting import (
    ApprovalProfile,
    ChoiceProfile,
    RankedProfile,
    ScoreProfile,
    approval,
    irv,
    pairwise_matrix,
    plurality,
    ranked_pairs,
    schulze,
    score,
    star,
)
from tribune.voting.result import format_number, json_number


def profile(names: str, ballots: list[tuple[str, int]], withdrawn: str = "") -> RankedProfile:
    """``profile("ABC", [("AB", 3), ("C", 2)])`` -- one letter per candidate."""
    return RankedProfile.from_rankings(
        list(names),
        [tuple(names.index(x) for x in r) for r, _ in ballots],
        [w for _, w in ballots],
        withdrawn=[names.index(x) for x in withdrawn],
    )


# The "Tennessee capital" example (Wikipedia, "Condorcet method" / "Instant-runoff
# voting"): 42% Memphis, 26% Nashville, 15% Chattanooga, 17% Knoxville.
TENNESSEE = profile(
    "MNCK",
    [("MNCK", 42), ("NCKM", 26), ("CKNM", 15), ("KCNM", 17)],
)

# Wikipedia, "Schulze method", example with 45 voters; result E > A > C > B > D.
SCHULZE_45 = profile(
    "ABCDE",
    [
        ("ACBED", 5),
        ("ADECB", 5),
        ("BEDAC", 8),
        ("CABED", 3),
        ("CAEBD", 7),
        ("CBADE", 2),
        ("DCEBA", 7),
        ("EBADC", 8),
    ],
)


def test_tennessee_all_methods():
    assert plurality(TENNESSEE).elected == ["M"]
    assert irv(TENNESSEE).elected == ["K"]
    assert schulze(TENNESSEE).ranking == ["N", "C", "K", "M"]
    assert ranked_pairs(TENNESSEE).ranking == ["N", "C", "K", "M"]


def test_tennessee_irv_stages():
    result = irv(TENNESSEE)
    assert [s.action for s in result.stages] == [
        "First preferences",
        "Exclusion of C",
        "Exclusion of N",
    ]
    assert result.stages[0].votes == {"M": 42, "N": 26, "K": 17, "C": 15}
    assert result.stages[1].votes == {"M": 42, "K": 32, "N": 26}
    assert result.stages[1].transfers == {"K": 15, "C": -15}
    assert result.stages[2].votes == {"K": 58, "M": 42}
    assert result.stages[2].elected == ["K"]
    assert result.ties == [] and result.seed is None
    assert result.valid_ballots == 100


def test_schulze_wikipedia_45_voters():
    result = schulze(SCHULZE_45)
    assert result.elected == ["E"]
    assert result.ranking == ["E", "A", "C", "B", "D"]
    d = result.parameters["pairwise"]
    assert d["A"]["B"] == 20 and d["B"]["A"] == 25
    assert d["E"]["D"] == 31 and d["D"]["E"] == 14
    p = result.parameters["strongest_paths"]
    assert p["E"]["A"] == 25 and p["A"]["E"] == 24
    assert schulze(SCHULZE_45, seats=2).elected == ["E", "A"]


def test_ranked_pairs_locks_and_skips():
    p = profile("ABC", [("ABC", 4), ("BCA", 2), ("CAB", 3), ("C", 1)])
    d = pairwise_matrix(p)
    # the C-only ballot ranks C above A and B, and leaves A and B equal
    assert d == [[0, 7, 4], [2, 0, 6], [6, 4, 0]]
    # majorities: A>B (7 to 2) first; then C>A and B>C, both 6 to 4: the
    # tie-breaking ranking drawn by lot decides which is locked, the other
    # would close the cycle and is skipped.
    outcomes = set()
    for seed in range(12):
        result = ranked_pairs(p, seed=seed)
        assert len(result.ties) == 1 and result.ties[0].purpose == "pair order"
        assert result.seed == seed
        assert result.stages[0].action == "Lock A > B"
        assert [s.action.split()[0] for s in result.stages] == ["Lock", "Lock", "Skip"]
        assert ranked_pairs(p, seed=seed).ranking == result.ranking
        outcomes.add(tuple(result.ranking))
    assert outcomes == {("A", "B", "C"), ("C", "A", "B")}


def test_irv_tie_broken_by_earlier_stage():
    # stage 1: A 10, B 7, C 6, D 4.  D excluded: 1 to C, 3 exhaust.
    # stage 2: A 10, B 7, C 7 -> B and C tied; at stage 1 C had fewer -> C out.
    # stage 3: C's 7 go to B: B 14 > A 10 -> B elected (excluding B would elect A).
    p = profile(
        "ABCD",
        [("A", 10), ("BA", 7), ("CB", 6), ("DCB", 1), ("D", 3)],
    )
    result = irv(p)
    assert result.elected == ["B"]
    assert result.stages[1].votes == {"A": 10, "B": 7, "C": 7}
    assert result.stages[1].exhausted == 3
    assert result.stages[2].excluded == ["C"]
    assert result.ties[0].resolved_by == "earlier stage 1"
    assert result.ties[0].chosen == "C"
    assert result.seed is None  # no lot was needed


def test_irv_tie_by_lot_is_reproducible():
    p = profile("ABC", [("AC", 3), ("BA", 3), ("CB", 4)])
    # A and B tie for exclusion at the first stage: lot.  Excluding A elects C
    # (7 votes), excluding B elects A (6 votes).
    seen = set()
    for seed in range(20):
        result = irv(p, seed=seed)
        assert result.seed == seed
        assert result.ties and result.ties[0].resolved_by == f"lot (seed {seed})"
        assert irv(p, seed=seed).elected == result.elected
        seen.add(result.elected[0])
    assert seen == {"A", "C"}  # the lot really can go either way
    drawn = irv(p)
    assert isinstance(drawn.seed, int)
    assert irv(p, seed=drawn.seed).elected == drawn.elected


def test_irv_zero_vote_candidates_excluded_together():
    p = profile("ABCD", [("AB", 3), ("BA", 2)])
    result = irv(p)
    assert result.elected == ["A"]
    assert result.stages[0].elected == ["A"]  # A has 3 of 5 at once
    p = profile("ABCD", [("AB", 2), ("BA", 2), ("CA", 1)])
    result = irv(p)
    assert result.stages[1].excluded == ["D"] and result.stages[1].note == "no votes"
    assert result.elected == ["A"]


def test_irv_withdrawn_candidate_skipped():
    p = profile("ABC", [("CB", 5), ("A", 4), ("B", 2)], withdrawn="C")
    result = irv(p)
    assert result.stages[0].votes == {"B": 7, "A": 4}
    assert result.elected == ["B"]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.permutations(range(n)), st.integers(1, n), st.integers(1, 9)),
                min_size=1,
                max_size=12,
            ),
        )
    ),
    st.integers(0, 1000),
)
def test_irv_conserves_votes(data, seed):
    n, raw = data
    p = RankedProfile.from_rankings(
        [f"c{i}" for i in range(n)],
        [perm[:length] for perm, length, _ in raw],
        [w for *_, w in raw],
    )
    result = irv(p, seed=seed)
    for stage in result.stages:
        assert sum(stage.votes.values()) + stage.exhausted == result.valid_ballots
    assert len(result.elected) == 1
    winner = result.elected[0]
    last = result.stages[-1].votes
    assert 2 * last[winner] > sum(last.values()) or len(last) == 1 or (sum(last.values()) == 0)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 7).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.permutations(range(n)), st.integers(0, n), st.integers(1, 300)),
                max_size=15,
            ),
            st.sets(st.integers(0, n - 1), max_size=n - 1),
        )
    )
)
def test_pairwise_matrix_matches_naive_count(data):
    n, raw, withdrawn = data
    rankings = [perm[:length] for perm, length, _ in raw]
    weights = [w for *_, w in raw]
    p = RankedProfile.from_rankings(
        [f"c{i}" for i in range(n)], rankings, weights, withdrawn=withdrawn
    )
    expected = [[0] * n for _ in range(n)]
    for ranking, w in zip(rankings, weights, strict=True):
        kept = [c for c in ranking if c not in withdrawn]
        rank = {c: i for i, c in enumerate(kept)}
        for a in range(n):
            for b in range(n):
                if a in withdrawn or b in withdrawn or a == b:
                    continue
                if rank.get(a, n) < rank.get(b, n):
                    expected[a][b] += w
    assert pairwise_matrix(p) == expected


def test_plurality_choice_profile_and_last_seat_lot():
    p = ChoiceProfile(("A", "B", "C", "D"), ((0, 5), (1, 3), (2, 3), (3, 1)))
    result = plurality(p, seats=2, seed=7)
    assert result.elected[0] == "A"
    assert result.elected[1] in {"B", "C"}
    assert result.ties[0].candidates == ["B", "C"] and result.ties[0].purpose == "election"
    assert plurality(p, seats=2, seed=7).elected == result.elected
    # no tie at the boundary: no lot, no seed
    assert plurality(p, seats=3).seed is None
    assert plurality(p, seats=3).elected == ["A", "B", "C"]


def test_approval_counts():
    p = ApprovalProfile.from_approvals(
        ["Ana", "Ben", "Cai"], [{0, 1}, {1}, {1, 2}, set(), {0}], [1, 1, 1, 2, 1]
    )
    result = approval(p, seats=2, seed=0)
    assert result.stages[0].votes == {"Ben": 3, "Ana": 2, "Cai": 1}
    assert result.elected == ["Ben", "Ana"]
    assert result.valid_ballots == 6  # blank approval ballots were cast


def test_score_and_star_runoff():
    # totals: A 4*3+1*2 = 14?  A: 5,5,0 ; B: 4,4,5 ; C: 0,0,4
    names = ["A", "B", "C"]
    p = ScoreProfile.from_scores(names, [(5, 4, 0), (5, 4, 0), (0, 5, 4)], [1, 1, 1])
    s = score(p)
    assert s.stages[0].votes == {"B": 13, "A": 10, "C": 4}
    assert s.elected == ["B"]
    result = star(p)
    # finalists B (13) and A (10); A preferred on 2 ballots, B on 1 -> A wins
    assert result.stages[1].votes == {"B": 1, "A": 2}
    assert result.elected == ["A"]


def test_star_runoff_tie_goes_to_higher_total():
    p = ScoreProfile.from_scores(["A", "B"], [(5, 0), (3, 4)], [1, 1])
    result = star(p)
    assert result.stages[1].votes == {"A": 1, "B": 1}
    assert result.elected == ["A"]  # runoff 1:1, totals 8 vs 4
    assert result.ties[0].resolved_by == "higher total score"


def test_format_numbers_exactly():
    assert format_number(Fraction(1, 4)) == "0.25"
    assert format_number(Fraction(-1, 8)) == "-0.125"
    assert format_number(Fraction(1, 3)) == "1/3"
    assert format_number(Fraction(123456789, 100000)) == "1234.56789"
    assert format_number(Fraction(1, 1000)) == "0.001"
    assert format_number(7) == "7"
    assert json_number(7) == 7 and json_number(Fraction(14, 2)) == "7"


def test_results_are_json_serialisable():
    for result in (
        irv(TENNESSEE),
        schulze(SCHULZE_45),
        ranked_pairs(TENNESSEE),
        plurality(TENNESSEE),
    ):
        data = json.loads(json.dumps(result.to_dict()))
        assert data["elected"] == result.elected
        assert "stages" in data and "ties" in data and "seed" in data
        assert result.to_text().strip().endswith("Elected: " + ", ".join(result.elected))


def test_profile_grouping():
    p = RankedProfile.from_rankings(
        ["A", "B", "C"], [(0, 1), (0, 1), (2,), (2, 0), ()], withdrawn=[2]
    )
    assert p.ballots == (((0, 1), 2), ((0,), 1))
    assert p.dropped == 2  # the empty ballot and the one ranking only C
    assert p.total_weight == 3
    assert p.grouped() is p


def test_from_rankings_validates_and_accepts_numpy_ints():
    import numpy as np
    import pytest

    p = RankedProfile.from_rankings(["A", "B", "C"], np.array([[0, 1], [0, 1], [2, 0]]))
    assert p.ballots == (((0, 1), 2), ((2, 0), 1))
    assert all(type(c) is int for r, _ in p.ballots for c in r)
    with pytest.raises(ValueError, match="repeats"):
        RankedProfile.from_rankings(["A", "B", "C"], [(0, 1), (1, 2, 1)])
    with pytest.raises(ValueError, match="unknown candidate"):
        RankedProfile.from_rankings(["A", "B", "C"], [(0, 3)])
    with pytest.raises(ValueError, match="unknown candidate"):
        RankedProfile.from_rankings(["A", "B", "C"], [(0,), (-1, 2)])
    with pytest.raises(ValueError, match="weight"):
        RankedProfile.from_rankings(["A", "B"], [(0,)], [0])
    with pytest.raises(ValueError, match="distinct"):
        RankedProfile.from_rankings(["A", "A"], [(0,)])


def test_arrays_are_padded_and_cached():
    p = RankedProfile.from_rankings(["A", "B", "C"], [(0, 1), (2,), (0, 1)])
    ranks, lengths, weights = p.arrays()
    assert ranks.tolist() == [[0, 1], [2, 3]]
    assert lengths.tolist() == [2, 1] and weights.tolist() == [2, 1]
    assert p.arrays()[0] is ranks


def test_edge_cases_single_candidate_and_no_ballots():
    one = RankedProfile.from_rankings(["Solo"], [(0,)] * 3)
    for count in (irv, schulze, ranked_pairs, plurality):
        assert count(one).elected == ["Solo"]
    empty = RankedProfile(("A", "B"), ())
    for count in (schulze, ranked_pairs, plurality, irv):
        result = count(empty, seed=4)
        assert len(result.elected) == 1 and result.valid_ballots == 0
    assert approval(ApprovalProfile(("A",), ())).elected == ["A"]
    assert star(ScoreProfile(("A",), ())).elected == ["A"]


def test_read_ballots_json_ranked(tmp_path):
    from tribune.voting import read_ballots

    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            {
                "candidates": ["Ana", "Ben"],
                "ballots": [{"ranking": ["Ben", "Ana"], "weight": 2}, {"ranking": ["Ana"]}],
            }
        )
    )
    p = read_ballots(path, "ranked")
    assert irv(p).elected == ["Ben"]
