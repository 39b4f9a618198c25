"""Line-based amendments: consolidation, conflicts, deleted lines, renumbering."""

import pytest

from tribune.assemblies.textmerge import (
    AmendmentConflict,
    LineChange,
    conflicts,
    consolidate,
    diff,
    rebase,
)

MOTION = """1. Rents are frozen for two years.
2. Every tenant has a written contract.
3. Repairs are done within 14 days.
4. Evictions need a court order.
"""


def test_replace_delete_and_insert_consolidate_against_original_numbers():
    changes = [
        LineChange.replace("A1", 1, 1, "1. Rents are frozen for five years."),
        LineChange.delete("A2", 2, 2),
        LineChange.insert_after("A3", 3, "3a. Landlords pay for temporary housing."),
    ]
    assert consolidate(MOTION, changes) == (
        "1. Rents are frozen for five years.\n"
        "3. Repairs are done within 14 days.\n"
        "3a. Landlords pay for temporary housing.\n"
        "4. Evictions need a court order.\n"
    )


def test_overlapping_amendments_are_refused_by_name():
    a = LineChange.replace("A1", 2, 3, "2. Contracts and repairs.")
    b = LineChange.delete("A2", 3, 3)
    assert conflicts([a, b]) == [("A1", "A2")]
    with pytest.raises(AmendmentConflict) as clash:
        consolidate(MOTION, [a, b])
    assert (clash.value.first, clash.value.second) == ("A1", "A2")


def test_two_insertions_at_one_place_conflict_but_adjacent_ones_do_not():
    at_2 = LineChange.insert_after("A1", 2, "x")
    also_2 = LineChange.insert_after("A2", 2, "y")
    at_3 = LineChange.insert_after("A3", 3, "z")
    assert conflicts([at_2, also_2]) == [("A1", "A2")]
    assert conflicts([at_2, at_3]) == []
    replace_2 = LineChange.replace("A4", 2, 2, "two")
    assert conflicts([replace_2, at_2]) == []  # inserting after a rewritten line is fine


def test_amendment_to_a_deleted_line_is_refused():
    deleted = LineChange.delete("A1", 2, 3)
    late = LineChange.replace("A2", 3, 3, "3. Repairs within 7 days.")
    with pytest.raises(AmendmentConflict, match="A2 amends lines that A1 already changed"):
        rebase(late, [deleted])


def test_rebase_renumbers_an_amendment_below_an_adopted_one():
    adopted = [LineChange.replace("A1", 1, 1, "1. Rents frozen.\n1b. And cut by 10%.")]
    moved = rebase(LineChange.replace("A2", 4, 4, "4. No evictions."), adopted)
    assert (moved.start, moved.end) == (5, 5)
    text = consolidate(MOTION, adopted)
    assert consolidate(text, [moved]).splitlines()[-1] == "4. No evictions."


def test_line_numbers_outside_the_text_are_refused():
    with pytest.raises(ValueError, match="not in a text of 4 lines"):
        consolidate(MOTION, [LineChange.replace("A1", 4, 5, "x")])
    with pytest.raises(ValueError, match="needs text"):
        consolidate(MOTION, [LineChange.insert_after("A1", 1, "")])


def test_diff_shows_the_change():
    new = consolidate(MOTION, [LineChange.delete("A1", 4, 4)])
    assert "-4. Evictions need a court order." in diff(MOTION, new)
