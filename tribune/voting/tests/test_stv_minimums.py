"""Reserved-seat minimums in the STV counts (``stv_common.Minimums``).

Feasibility is checked independently here by brute force over every possible
set of winners; whenever some set of ``seats`` standing candidates meets all
the minimums, both counts must return one that does.
"""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tribune.voting import RankedProfile, meek_stv, scottish_stv
from tribune.voting.stv_common import Minimums

from .test_stv_properties import profiles

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_needed_counts_overlapping_groups_exactly() -> None:
    m = Minimums.build({"w": ({0, 1, 2}, 2), "y": ({2, 3}, 1)}, 5, frozenset(), 3, "ABCDE")
    assert m.needed({0, 1, 2, 3, 4}, set()) == 2  # candidate 2 counts for both groups
    assert m.needed({0, 1, 3, 4}, set()) == 3
    assert m.needed({0, 1, 3, 4}, {2}) == 1
    assert m.needed({3, 4}, set()) > 3  # cannot be met any more
    assert m.outsiders({0, 1, 2, 3, 4}, set(), 2) == [4]


def test_minimum_lowered_when_too_few_candidates() -> None:
    m = Minimums.build({"w": ({0, 1}, 3)}, 5, frozenset({1}), 3, "ABCDE")
    assert m.groups == {"w": (frozenset({0}), 1)}
    assert "lowered from 3 to 1" in m.notes[0]


def test_deferral_reported() -> None:
    # A and B (men) both reach the quota on first preferences, but one of the
    # two seats is reserved for a woman (C or D): B, the lower, is deferred.
    profile = RankedProfile(
        ("A", "B", "C", "D"),
        (((0,), 40), ((1, 0), 35), ((2,), 15), ((3, 2), 10)),
    )
    for method in (scottish_stv, meek_stv):
        result = method(profile, 2, seed=1, minimums={"women": ({2, 3}, 1)})
        assert result.elected[0] == "A", method.__name__
        assert result.elected[1] in {"C", "D"}, method.__name__
        assert "B" in [name for s in result.stages for name in s.excluded]


def feasible(standing: set[int], seats: int, groups: dict[str, tuple[set[int], int]]) -> bool:
    size = min(seats, len(standing))
    return any(
        all(len(set(combo) & members) >= minimum for members, minimum in groups.values())
        for combo in combinations(sorted(standing), size)
    )


@SETTINGS
@given(profiles(max_candidates=6), st.data())
def test_two_overlapping_minimums_met_when_feasible(case, data) -> None:
    profile, seats = case
    n = len(profile.candidates)
    groups = {}
    for name in ("g1", "g2"):
        members = data.draw(st.sets(st.integers(0, n - 1), min_size=1))
        groups[name] = (members, data.draw(st.integers(1, max(1, min(seats, len(members))))))
    standing = set(range(n)) - set(profile.withdrawn)
    for method in (scottish_stv, meek_stv):
        result = method(profile, seats, seed=2, minimums=groups)
        if not result.valid_ballots:
            continue
        assert len(result.elected) == min(seats, len(standing))
        elected = {profile.candidates.index(name) for name in result.elected}
        effective = {
            g: (members - set(profile.withdrawn), min(k, len(members - set(profile.withdrawn))))
            for g, (members, k) in groups.items()
        }
        if feasible(standing, seats, effective):
            for g, (members, k) in effective.items():
                assert len(elected & members) >= k, (method.__name__, g)
