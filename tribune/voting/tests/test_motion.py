"""Hand-checked motion decisions, one rule at a time, at the boundaries."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tribune.voting import MotionRule, motion


def test_simple_majority_ignores_abstentions():
    assert motion(10, 9, 100).carried  # more yes than no
    assert not motion(10, 10, 0).carried  # a tie is not a majority
    assert not motion(9, 10, 0).carried
    result = motion(10, 9, 100)
    assert result.yes_needed == 10 and result.outcome == "carried"


def test_simple_majority_no_votes_at_all():
    result = motion(0, 0, 5)
    assert not result.carried and result.outcome == "not carried"


def test_absolute_majority_of_votes_cast_counts_abstentions():
    rule = MotionRule.absolute()  # base: all votes cast incl. abstentions
    assert motion(51, 40, 9, rule=rule).carried  # 51 > 50
    assert not motion(50, 40, 10, rule=rule).carried  # 50 is not more than half of 100
    assert motion(50, 40, 10, rule=rule).yes_needed == 51
    assert not motion(50, 10, 41, rule=rule).carried  # 50 of 101: needs 51
    assert motion(51, 10, 40, rule=rule).carried  # 51 of 101


def test_absolute_majority_of_the_electorate():
    rule = MotionRule.absolute(base="electorate", electorate=200)
    assert not motion(100, 0, 0, rule=rule).carried  # half is not a majority
    assert motion(101, 0, 0, rule=rule).carried
    assert motion(101, 0, 0, rule=rule).yes_needed == 101
    with pytest.raises(ValueError):
        motion(150, 60, 0, rule=rule)  # more votes than members


def test_two_thirds_supermajority():
    rule = MotionRule.supermajority(Fraction(2, 3))  # of yes + no
    assert motion(20, 10, 50, rule=rule).carried  # exactly two thirds: "at least"
    assert not motion(19, 10, 0, rule=rule).carried  # 19/29 < 2/3
    assert motion(19, 10, 0, rule=rule).yes_needed == 20  # ceil(58/3)
    assert motion(2, 1, 0, rule=rule).carried
    assert not motion(1, 1, 0, rule=rule).carried


def test_two_thirds_counting_abstentions():
    rule = MotionRule.supermajority(Fraction(2, 3), base="cast")
    assert not motion(20, 10, 1, rule=rule).carried  # 20/31 < 2/3
    assert not motion(21, 10, 1, rule=rule).carried  # 21/32 < 2/3
    assert motion(22, 10, 1, rule=rule).carried  # 22/33 = 2/3 exactly
    assert motion(22, 10, 1, rule=rule).yes_needed == 22


def test_three_fifths_supermajority():
    rule = MotionRule.supermajority(Fraction(3, 5))
    assert motion(3, 2, 0, rule=rule).carried  # exactly 3/5
    assert not motion(59, 41, 0, rule=rule).carried
    assert motion(60, 40, 0, rule=rule).carried
    assert motion(59, 41, 0, rule=rule).yes_needed == 60
    assert rule.name == "3/5 majority"


def test_quorum_by_turnout():
    rule = MotionRule.simple(quorum_turnout=50)
    assert motion(30, 10, 10, rule=rule).carried  # 50 voted: quorum met
    result = motion(30, 10, 9, rule=rule)  # 49 voted
    assert not result.carried and not result.quorum_met
    assert result.outcome == "no quorum"


def test_quorum_as_share_of_the_electorate():
    rule = MotionRule.simple(quorum_fraction=Fraction(1, 10), electorate=995)
    # a tenth of 995 is 99.5: 100 votes needed
    assert not motion(60, 30, 9, rule=rule).quorum_met
    assert motion(60, 30, 10, rule=rule).carried


def test_quorum_by_yes_votes():
    rule = MotionRule.supermajority(Fraction(2, 3), quorum_yes=100)
    assert not motion(99, 0, 0, rule=rule).carried
    assert motion(100, 50, 0, rule=rule).carried
    assert motion(99, 0, 0, rule=rule).outcome == "no quorum"


def test_motion_result_reports_rule_and_reasons():
    rule = MotionRule.absolute(quorum_turnout=10)
    result = motion(6, 3, 2, rule=rule)
    data = result.to_dict()
    assert data["carried"] is True
    assert data["parameters"]["rule"]["name"] == "absolute majority"
    assert data["stages"][0]["votes"] == {"yes": 6, "no": 3, "abstain": 2}
    assert any("quorum" in r for r in data["reasons"])


def test_invalid_counts_and_rules():
    with pytest.raises(ValueError):
        motion(-1, 0, 0)
    with pytest.raises(ValueError):
        MotionRule.absolute(base="electorate")  # electorate size missing
    with pytest.raises(ValueError):
        MotionRule(threshold=Fraction(3, 2))
