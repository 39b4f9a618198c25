"""Scottish STV against published counts and hand-checked examples.

Sources of the data are listed in ``tests/data/README.md``.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from tribune.voting import RankedProfile, read_blt, scottish_stv

DATA = Path(__file__).parent / "data"


def dec(value: Fraction | int) -> Decimal:
    return Decimal(Fraction(value).numerator) / Decimal(Fraction(value).denominator)


def table(result) -> list[dict[str, Decimal]]:
    return [{k: dec(v) for k, v in s.votes.items()} for s in result.stages]


# Govan ward, Glasgow City Council, 3 May 2007 (4 seats).  Stage totals as
# counted by Droop's Scottish rule (test/ref/dump/scotland/Govan-2007-...),
# non-transferable last; candidates no longer in the count are omitted.
GOVAN_NAMES = [
    "Shaukat Butt",
    "Michael Cobley",
    "Stephen Dornan",
    "John Flanagan",
    "Alan L Hughes",
    "Allison Hunter",
    "Will Jess",
    "Irene Lang",
    "Patricia McIntyre",
    "George Douglas McNee",
    "Carolina Perez",
]
GOVAN_STAGES = [
    "1371 394 1590 1657 138 2694 377 398 450 377 114 0",
    "1412.45570 449.66080 1651.16890 1705.12340 146.69700 1913 473.82660 505.55290"
    " 480.43950 399.03240 138.35160 284.68180",
    "1415.32540 455.98000 1657.90830 1711.57290 147.27680 1913 506.59530 548.67010"
    " 481.01930 401.48190 - 321.16060",
    "1417.61530 468.42950 1666.90830 1718.86280 - 1913 517.62460 557.24990 531.75870"
    " 408.48190 - 360.05960",
    "1449.06480 485.90830 1696.48810 1747.86280 - 1913 555.55290 580.30850 607.78800 - - 524.01720",
    "1503.12340 - 1743.09720 1781.47190 - 1913 711.45500 600.81660 675.61530 - - 631.41120",
    "1550.53050 - 1812.63460 1845.45880 - 1913 842.76420 - 690.99310 - - 904.60940",
    "1594.69010 - 1852.95380 1881.06790 - 1913 977.80970 - - - - 1340.46910",
    "1675.73560 - 1921.68010 1984.14270 - 1913 - - - - - 2065.43220",
]


def test_govan_2007_matches_official_result_and_reference_stages() -> None:
    profile = read_blt(DATA / "scotland-2007-glasgow-govan.blt")
    result = scottish_stv(profile, 4)
    # official declaration: Hunter (SNP), Flanagan, Dornan, Butt (Labour)
    assert set(result.elected) == {
        "Allison Hunter",
        "John Flanagan",
        "Stephen Dornan",
        "Shaukat Butt",
    }
    assert result.elected == ["Allison Hunter", "John Flanagan", "Stephen Dornan", "Shaukat Butt"]
    assert result.quota == 1913
    assert result.valid_ballots == 9560
    assert len(result.stages) == len(GOVAN_STAGES)
    for stage, line in zip(result.stages, GOVAN_STAGES, strict=True):
        cells = line.split()
        expected = {
            name: Decimal(cell)
            for name, cell in zip(GOVAN_NAMES, cells[:-1], strict=True)
            if cell != "-"
        }
        assert {k: dec(v) for k, v in stage.votes.items()} == expected, stage.number
        assert dec(stage.exhausted) == Decimal(cells[-1]), stage.number
    assert [s.action for s in result.stages[:3]] == [
        "First preferences",
        "Surplus of Allison Hunter",
        "Exclusion of Carolina Perez",
    ]
    # the surplus transfer lost 0.0094 of a vote to truncation, and only then
    assert result.parameters["truncation_loss"] == Fraction(94, 10000)
    assert result.ties == []
    assert result.seed is None  # no lot was needed


# Springburn ward, Glasgow City Council, 3 May 2007 (3 seats).  James Todd is
# elected on Allan Stewart's surplus; his own surplus then re-examines all his
# papers, those received from Stewart at their transfer value (rule 48(4)).
SPRINGBURN_NAMES = [
    "Margaret Bean",
    "Graham Campbell",
    "Graeme Dickson",
    "Phil Greene",
    "Patrick McAleer",
    "Robert G C Sawers",
    "Kenny Smith",
    "Allan Stewart",
    "John H Stuart",
    "James Todd",
]
SPRINGBURN_STAGES = [
    "135 339 173 1300 134 85 135 1752 168 1189 0",
    "139.78233 351.75288 176.41595 1327.09987 140.14871 86.82184 137.50503 1353 176.88147"
    " 1437.68116 82.89372",
    "143.25032 358.57632 178.54502 1336.33636 143.75895 88.39636 138.78505 1353 183.03308"
    " 1353 133.29616",
    "144.60926 362.87082 203.47722 1340.90962 150.77236 - 151.84395 1353 186.33312 1353 163.16127",
    "- 410.14226 209.51745 1374.08557 162.73399 - 154.90285 1353 187.20642 1353 205.38908",
]


def test_springburn_2007_second_surplus_is_inclusive() -> None:
    profile = read_blt(DATA / "scotland-2007-glasgow-springburn.blt")
    result = scottish_stv(profile, 3)
    assert result.elected == ["Allan Stewart", "James Todd", "Phil Greene"]
    assert result.quota == 1353
    assert [s.action for s in result.stages][:3] == [
        "First preferences",
        "Surplus of Allan Stewart",
        "Surplus of James Todd",
    ]
    assert len(result.stages) == len(SPRINGBURN_STAGES)
    for stage, line in zip(result.stages, SPRINGBURN_STAGES, strict=True):
        cells = line.split()
        expected = {
            name: Decimal(cell)
            for name, cell in zip(SPRINGBURN_NAMES, cells[:-1], strict=True)
            if cell != "-"
        }
        assert {k: dec(v) for k, v in stage.votes.items()} == expected, stage.number
        assert dec(stage.exhausted) == Decimal(cells[-1]), stage.number
    assert result.parameters["truncation_loss"] == Fraction(2238, 100000)


def test_conservation_on_govan() -> None:
    profile = read_blt(DATA / "scotland-2007-glasgow-govan.blt")
    result = scottish_stv(profile, 4)
    loss = Fraction(0)
    for stage in result.stages:
        if "loss from truncation" in stage.note:
            loss += Fraction(Decimal(stage.note.rsplit(" ", 1)[1]))
        total = sum(Fraction(v) for v in stage.votes.values()) + Fraction(stage.exhausted)
        assert total + loss == result.valid_ballots


def test_gpus_2005_reference_count() -> None:
    """94 real ballots; Droop's Scottish rule elects Sevigny where Meek elects Olsen."""
    profile = read_blt(DATA / "gpus-2005-steering-committee.blt")
    result = scottish_stv(profile, 4, seed=7)
    assert result.elected == ["Rebecca Rotzler", "Pat LaMarche", "Steve Kramer", "Tom Sevigny"]
    assert result.quota == 19
    stages = table(result)
    assert stages[1]["Kristen Olsen"] == Decimal("12.45448")
    assert stages[2]["Steve Kramer"] == Decimal("18.54544")
    last = stages[-1]
    assert last == {
        "Rebecca Rotzler": 19,
        "Pat LaMarche": 19,
        "Steve Kramer": 19,
        "Tom Sevigny": Decimal("18.59172"),
    }
    assert dec(result.stages[-1].exhausted) == Decimal("18.40808")
    # four candidates had no votes at all: the order of their exclusion is drawn by lot
    assert {t.purpose for t in result.ties} == {"exclusion"}
    assert all(t.resolved_by.startswith("lot") for t in result.ties)
    assert result.seed == 7


def test_wichmann_m135_reference_count() -> None:
    profile = read_blt(DATA / "wichmann-1999-m135.blt")
    result = scottish_stv(profile, 7, seed=1)
    assert result.quota == 85  # 677 valid papers // 8 + 1
    assert result.elected == ["C1", "C2", "C6", "C3", "C4", "C9", "C10"]
    assert len(result.stages) == 21
    last = table(result)[-1]
    assert last == {
        "C1": 85,
        "C2": 85,
        "C3": Decimal("92.11386"),
        "C4": Decimal("86.92718"),
        "C6": Decimal("93.41548"),
        "C9": Decimal("82.18064"),
        "C10": Decimal("81.25831"),
    }
    assert dec(result.stages[-1].exhausted) == Decimal("71.10325")


def test_quota_ignores_fractions() -> None:
    # rule 46: 10 valid papers, 2 seats -> 10/3 = 3.33 -> 3 + 1 = 4
    profile = RankedProfile(("A", "B", "C"), (((0,), 4), ((1,), 3), ((2,), 3)))
    assert scottish_stv(profile, 2, seed=0).quota == 4
    # exactly divisible: 9/3 = 3 -> 4
    profile = RankedProfile(("A", "B", "C"), (((0,), 3), ((1,), 3), ((2,), 3)))
    assert scottish_stv(profile, 2, seed=0).quota == 4


def test_transfer_value_truncated_per_paper() -> None:
    # 10 papers, 2 seats: quota 10 // 3 + 1 = 4; A has 7
    profile = RankedProfile(
        ("A", "B", "C"),
        (((0, 1), 4), ((0, 2), 3), ((1,), 2), ((2,), 1)),
    )
    result = scottish_stv(profile, 2, seed=0)
    # quota = 10 // 3 + 1 = 4; A has 7, surplus 3, transfer value 3/7 = 0.42857 (truncated)
    surplus = result.stages[1]
    assert surplus.action == "Surplus of A"
    assert surplus.transfers["B"] == Fraction(4 * 42857, 100000)
    assert surplus.transfers["C"] == Fraction(3 * 42857, 100000)
    assert surplus.votes["A"] == 4
    assert "loss from truncation 0.00001" in surplus.note


def test_inclusive_transfer_uses_value_when_received() -> None:
    # B is elected on a transfer from A; B's later surplus re-examines *all* B's
    # papers, those received from A at A's transfer value.
    profile = RankedProfile(
        ("A", "B", "C", "D"),
        (((0, 1, 2), 12), ((1, 3), 5), ((2,), 4), ((3,), 4)),
    )
    result = scottish_stv(profile, 3, seed=0)
    # quota = 25 // 4 + 1 = 7; A surplus 5 -> TV 5/12 = 0.41666 per paper
    s2 = result.stages[1]
    assert s2.transfers["B"] == Fraction(12 * 41666, 100000)
    b_total = 5 * 100000 + 12 * 41666  # 9.99992
    assert s2.votes["B"] == Fraction(b_total, 100000)
    s3 = result.stages[2]
    assert s3.action == "Surplus of B"
    surplus = b_total - 700000
    tv_first = surplus * 100000 // b_total
    tv_from_a = surplus * 41666 // b_total
    assert s3.transfers["D"] == Fraction(5 * tv_first, 100000)
    assert s3.transfers["C"] == Fraction(12 * tv_from_a, 100000)


def test_largest_surplus_first() -> None:
    profile = RankedProfile(
        ("A", "B", "C", "D"),
        (((0, 2), 9), ((1, 3), 11), ((2,), 2), ((3,), 3)),
    )
    result = scottish_stv(profile, 3, seed=0)
    assert result.stages[0].elected == ["B", "A"]
    assert result.stages[1].action == "Surplus of B"
    assert result.stages[2].action == "Surplus of A"


def test_exclusion_tie_uses_most_recent_earlier_stage() -> None:
    # Droop test file scotland/weak-defeat.blt: B and C tie at 3 after A is
    # excluded; at stage 1 B had 2 and C 3, so B is excluded (rule 51(2)(a)).
    profile = RankedProfile(
        ("A", "B", "C", "D", "E"),
        (((0, 1), 1), ((1,), 2), ((2,), 3), ((3,), 4), ((4,), 5)),
    )
    result = scottish_stv(profile, 2)
    assert [s.action for s in result.stages] == [
        "First preferences",
        "Exclusion of A",
        "Exclusion of B",
        "Exclusion of C",
    ]
    assert result.ties[0].resolved_by == "earlier stage (stage 1)"
    assert result.ties[0].chosen == "B"
    assert result.elected == ["E", "D"]
    assert result.seed is None


def test_exclusion_tie_looks_at_most_recent_stage_not_first() -> None:
    # stage 1: Z 31, W 30, Y 5, X 4, Q 3, P 2 (3 seats, quota 19)
    # stages 2-3: surpluses of Z and W, all non-transferable
    # stage 4: P excluded, to X -> X 6, Y 5
    # stage 5: Q excluded, 2 to Y and 1 to X -> X 7, Y 7: a tie
    # The most recent earlier stage where they differed is stage 4 (X 6, Y 5),
    # so Y is excluded; "ahead at first difference" (stage 1: X 4 < Y 5) would
    # have excluded X instead.
    profile = RankedProfile(
        ("X", "Y", "P", "Q", "Z", "W"),
        (
            ((0,), 4),
            ((1,), 5),
            ((2, 0), 2),
            ((3, 1), 2),
            ((3, 0), 1),
            ((4,), 31),
            ((5,), 30),
        ),
    )
    result = scottish_stv(profile, 3, seed=0)
    assert result.quota == 19
    assert [s.action for s in result.stages] == [
        "First preferences",
        "Surplus of Z",
        "Surplus of W",
        "Exclusion of P",
        "Exclusion of Q",
        "Exclusion of Y",
    ]
    tie = result.ties[-1]
    assert tie.candidates == ["X", "Y"] and tie.chosen == "Y"
    assert tie.resolved_by == "earlier stage (stage 4)"
    assert result.elected == ["Z", "W", "X"]


def test_lot_is_reproducible_and_reported() -> None:
    profile = RankedProfile(
        ("A", "B", "C"),
        (((0,), 3), ((1,), 3), ((2,), 1)),
    )
    draws = {scottish_stv(profile, 1, seed=s).elected[0] for s in range(20)}
    assert draws == {"A", "B"}  # a genuine lot, both outcomes possible
    r1 = scottish_stv(profile, 1, seed=5)
    r2 = scottish_stv(profile, 1, seed=5)
    assert r1.to_dict() == r2.to_dict()
    assert r1.seed == 5
    assert r1.ties[-1].resolved_by == "lot"
    drawn = scottish_stv(profile, 1)  # no seed given: one is drawn and reported
    assert isinstance(drawn.seed, int)
    assert scottish_stv(profile, 1, seed=drawn.seed).elected == drawn.elected


def test_last_vacancies_rule_52() -> None:
    profile = RankedProfile(
        ("A", "B", "C"),
        (((0,), 5), ((1,), 3), ((2,), 2)),
    )
    result = scottish_stv(profile, 2, seed=0)
    # quota 4: A elected; surplus 1 is non-transferable; C excluded; B fills the
    # last vacancy under rule 52 without reaching the quota
    assert result.elected == ["A", "B"]
    assert "rule 52" in result.stages[-1].note


def test_withdrawn_candidates_are_skipped() -> None:
    profile = RankedProfile(
        ("A", "B", "C", "D"),
        (((1, 0), 6), ((2,), 5), ((3,), 4), ((1,), 2)),
        withdrawn=frozenset({1}),
    )
    result = scottish_stv(profile, 1, seed=0)
    assert "B" not in result.stages[0].votes
    assert result.stages[0].votes["A"] == 6
    assert result.invalid_ballots == 2  # ballots that named only B
    assert result.valid_ballots == 15
    assert result.parameters["withdrawn"] == ["B"]


def test_minimum_is_met() -> None:
    # five candidates, two seats; women = {C, E}; without the minimum A and B win
    profile = RankedProfile(
        ("A", "B", "C", "D", "E"),
        (((0, 1), 30), ((1, 0), 25), ((2, 4), 10), ((3,), 8), ((4, 2), 7)),
    )
    plain = scottish_stv(profile, 2, seed=0)
    assert set(plain.elected) == {"A", "B"}
    result = scottish_stv(profile, 2, seed=0, minimums={"women": ({2, 4}, 1)})
    assert "A" in result.elected
    assert {"C", "E"} & set(result.elected)
    assert result.parameters["minimums"]["women"]["met"] is True


def test_zero_ballots_and_bad_arguments() -> None:
    profile = RankedProfile(("A", "B"), ())
    result = scottish_stv(profile, 1, seed=3)
    assert len(result.elected) == 1
    with pytest.raises(ValueError):
        scottish_stv(profile, 0)
