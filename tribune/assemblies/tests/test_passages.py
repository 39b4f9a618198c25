"""Amending by quoting a passage: the passage becomes the lines it touches.

The pure locator (textmerge.passage_change) and the action on top of it
(services.amend_passage): found once, not found, found twice, Unicode and
whitespace as members actually quote them, and the refusals in words.
"""

import pytest

from tribune.assemblies import services
from tribune.assemblies.models import Amendment
from tribune.assemblies.tests.sitting import convene
from tribune.assemblies.textmerge import LineChange, PassageError, consolidate, passage_change
from tribune.lib.errors import RuleViolation

MOTION = """1. Rents are frozen for two years.
2. Every tenant has a written contract.
3. Repairs are done within 14 days.
4. Evictions need a court order.
"""


def _apply(text: str, change: LineChange) -> str:
    return consolidate(text, [change])


def test_a_passage_inside_a_line_rewrites_that_line_keeping_the_words_around_it():
    change = passage_change("A1", MOTION, "within 14 days", "within 7 days")
    assert (change.start, change.end) == (3, 3)
    assert change.new_lines == ("3. Repairs are done within 7 days.",)
    assert "within 7 days.\n4. Evictions" in _apply(MOTION, change)


def test_a_passage_across_lines_rewrites_the_lines_it_touches():
    change = passage_change("A1", MOTION, "contract.\n3. Repairs", "contract; repairs")
    assert (change.start, change.end) == (2, 3)
    assert change.new_lines == (
        "2. Every tenant has a written contract; repairs are done within 14 days.",
    )


def test_a_passage_not_in_the_text_is_refused():
    with pytest.raises(PassageError) as refused:
        passage_change("A1", MOTION, "within 30 days", "x")
    assert refused.value.count == 0
    with pytest.raises(PassageError) as longer:  # longer than the whole motion
        passage_change("A1", MOTION, MOTION + " and more", "x")
    assert longer.value.count == 0


def test_a_passage_found_twice_is_refused_with_the_count():
    with pytest.raises(PassageError) as refused:
        passage_change("A1", MOTION, "are", "is")
    assert refused.value.count == 2  # "Rents are", "Repairs are"
    # Overlapping occurrences count as well: "a a" is twice in "a a a".
    with pytest.raises(PassageError) as overlapping:
        passage_change("A1", "a a a\n", "a a", "b")
    assert overlapping.value.count == 2
    # Selecting a little more makes it unique.
    assert passage_change("A1", MOTION, "Repairs are", "Repairs get").start == 3


def test_whitespace_runs_and_line_breaks_in_the_quote_do_not_matter():
    # A browser selection or a copy from an e-mail: spaces doubled, a line break,
    # a no-break space, the ends padded.
    quoted = "  contract.\r\n3.\u00a0Repairs   are done "
    change = passage_change("A1", MOTION, quoted, "contract.\n3. Repairs will be done")
    assert (change.start, change.end) == (2, 3)
    assert change.new_lines == (
        "2. Every tenant has a written contract.",
        "3. Repairs will be done within 14 days.",
    )


def test_unicode_is_compared_composed():
    text = "1. Les loyers sont gel\u00e9s.\n2. Caf\u00e9 gratuit.\n"
    decomposed = "gele\u0301s"  # e + combining acute, as some keyboards send it
    change = passage_change("A1", text, decomposed, "baiss\u00e9s")
    assert change.new_lines == ("1. Les loyers sont baiss\u00e9s.",)
    tea = passage_change("A1", text, "Caf\u00e9", "Th\u00e9")
    assert tea.new_lines == ("2. Th\u00e9 gratuit.",)


def test_deleting_a_passage_leaves_one_space_and_a_whole_line_deletes_the_line():
    change = passage_change("A1", MOTION, "written", "")
    assert change.new_lines == ("2. Every tenant has a contract.",)
    whole = passage_change("A1", MOTION, "4. Evictions need a court order.", "")
    assert (whole.start, whole.end, whole.new_lines) == (4, 4, ())
    assert "Evictions" not in _apply(MOTION, whole)


def test_an_empty_quote_is_refused():
    with pytest.raises(PassageError):
        passage_change("A1", MOTION, " \n ", "x")


# --- the action -------------------------------------------------------------------------


@pytest.fixture
def motion(world):
    assembly = convene(world)
    return services.table_motion(world.ben, assembly, title="Housing", text=MOTION.strip())


def _refusal(world, motion, passage: str, replacement: str = "x") -> tuple[str, str]:
    with pytest.raises(RuleViolation) as refused:
        services.amend_passage(world.cam, motion, passage=passage, replacement=replacement)
    return refused.value.field, refused.value.message


def test_amend_passage_tables_a_line_amendment(world, motion):
    amendment = services.amend_passage(
        world.cam, motion, passage="within 14 days", replacement="within 7 days", reason="Faster."
    )
    assert (amendment.label, amendment.start, amendment.end) == ("A1", 3, 3)
    assert amendment.new_text == "3. Repairs are done within 7 days."
    assert amendment.reason == "Faster." and amendment.tabled_by == world.cam


def test_amend_passage_refuses_in_words_on_the_passage_field(world, motion):
    assert _refusal(world, motion, "within 30 days") == (
        "passage",
        "This passage is not in the motion as tabled: quote it exactly as it is written.",
    )
    assert _refusal(world, motion, "are") == (
        "passage",
        "This passage occurs 2 times in the motion: select a longer passage, "
        "so that it occurs only once.",
    )
    assert _refusal(world, motion, "  ") == (
        "passage",
        "Quote the passage of the motion to replace.",
    )
    assert _refusal(world, motion, "14 days", "14  days ") == (
        "replacement",
        "The replacement is the same as the passage.",
    )
    field, message = _refusal(world, motion, "14 days", "7\x00 days")
    assert (field, message) == ("replacement", "Remove the invalid character at position 2.")
    assert not Amendment.objects.exists()


def test_amend_passage_is_for_members_of_the_unit_first(world, motion):
    from tribune.lib.errors import NotPermitted
    from tribune.members.models import Member

    outsider = Member.objects.create(organisation=world.org, name="Out", home_branch=world.root)
    with pytest.raises(NotPermitted):
        services.amend_passage(outsider, motion, passage="not there", replacement="x")
