"""Delegates apportioned to branches: textbook cases and invariants."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tribune.assemblies.apportionment import largest_remainder, sainte_lague


def test_largest_remainder_textbook_case():
    # 100 seats; Hare quotas 43.3, 29.6, 14.8, 12.3 → whole parts 98, remainders .6 .8 .3 .3
    members = {"A": 43_300, "B": 29_600, "C": 14_800, "D": 12_300}
    assert largest_remainder(members, 100) == {"A": 43, "B": 30, "C": 15, "D": 12}


def test_sainte_lague_textbook_case():
    # The standard example: 53,000 / 24,000 / 23,000 votes for 7 seats → 3, 2, 2.
    assert sainte_lague({"A": 53_000, "B": 24_000, "C": 23_000}, 7) == {"A": 3, "B": 2, "C": 2}


def test_the_two_methods_differ_where_they_should():
    # Quotas 4.44, 1.67, 3.40, 0.49: largest remainder gives the small branch a seat;
    # Sainte-Laguë's 10th seat is a tie at 8 (A's 72/9, D's 8/1), won by the larger branch.
    members = {"A": 72, "B": 27, "C": 55, "D": 8}
    assert largest_remainder(members, 10) == {"A": 4, "B": 2, "C": 3, "D": 1}
    assert sainte_lague(members, 10) == {"A": 5, "B": 2, "C": 3, "D": 0}


def test_minimum_per_branch_and_ties_are_deterministic():
    assert largest_remainder({"A": 10, "B": 10}, 3) == {"A": 2, "B": 1}
    assert sainte_lague({"A": 1000, "B": 1}, 4, minimum=1) == {"A": 3, "B": 1}
    with pytest.raises(ValueError, match="minimum"):
        largest_remainder({"A": 1, "B": 1, "C": 1}, 2, minimum=1)


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=3), st.integers(0, 10_000), min_size=1, max_size=8
    ),
    st.integers(0, 60),
)
def test_all_seats_are_given_and_each_branch_is_within_one_of_its_quota(members, seats):
    total = sum(members.values())
    for method in (largest_remainder, sainte_lague):
        result = method(members, seats)
        assert sum(result.values()) == (seats if total else 0)
        if method is largest_remainder and total:
            for name, n in members.items():
                quota = seats * n / total
                assert quota - 1 < result[name] < quota + 1
