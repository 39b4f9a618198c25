"""BLT reading and writing: the dialect, round trips, and errors with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tribune.voting import BallotFileError, RankedProfile, irv, read_blt, write_blt

DATA = Path(__file__).parent / "data"


def test_read_sample_file():
    p = read_blt(DATA / "sample.blt")
    assert p.candidates == ("Ana", "Ben", "Cai", "Dee")
    assert p.seats == 2
    assert p.withdrawn == frozenset({3})
    assert p.title == "Sample branch committee"
    assert p.ballots == (((0, 1), 3), ((1, 2, 0), 2), ((2,), 4), ((3, 0), 1), ((), 1))
    g = p.grouped()
    assert g.total_weight == 10 and g.dropped == 1
    assert dict(g.ballots)[(0,)] == 1  # Dee skipped


def test_read_from_text_and_path_string():
    text = (DATA / "sample.blt").read_text()
    assert read_blt(text) == read_blt(str(DATA / "sample.blt"))


def test_awkward_names_survive_a_round_trip():
    cands = ('Ana "the red" Ortiz', "Ben # not a comment", "Cai\\", "Dee\u2028Eve", " Fay ")
    profile = RankedProfile(cands, (((4, 0), 2),), title='Vote "A" \\ B', seats=1)
    assert read_blt(write_blt(profile)) == profile


def test_write_then_read_is_identity_on_sample():
    p = read_blt(DATA / "sample.blt")
    assert read_blt(write_blt(p)) == p


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(lambda s: s.strip() != "")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(names, min_size=1, max_size=6, unique=True).flatmap(
        lambda cands: st.tuples(
            st.just(cands),
            st.lists(
                st.tuples(
                    st.permutations(range(len(cands))),
                    st.integers(0, len(cands)),
                    st.integers(1, 1000),
                ),
                max_size=10,
            ),
            st.sets(st.integers(0, len(cands) - 1), max_size=len(cands) - 1),
            st.integers(1, len(cands)),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
        )
    )
)
def test_round_trip(data):
    cands, raw, withdrawn, seats, title = data
    profile = RankedProfile(
        tuple(cands),
        tuple((tuple(perm[:length]), w) for perm, length, w in raw),
        frozenset(withdrawn),
        title,
        seats,
    )
    text = write_blt(profile)
    assert read_blt(text) == profile
    assert write_blt(read_blt(text)) == text


def error(text: str) -> BallotFileError:
    with pytest.raises(BallotFileError) as info:
        read_blt(text)
    return info.value


GOOD_TAIL = '0\n"A"\n"B"\n"C"\n"T"\n'


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty file"),
        ("3\n" + GOOD_TAIL, 1, "two numbers"),
        ("3 x\n" + GOOD_TAIL, 1, "number of seats"),
        ("3 4\n" + GOOD_TAIL, 1, "between 1 and 3"),
        ("3 1\n-4\n" + GOOD_TAIL, 2, "withdrawn candidate -4"),
        ("3 1\n1 1 2\n" + GOOD_TAIL, 2, "must end with 0"),
        ("3 1\n1 1 5 0\n" + GOOD_TAIL, 2, "candidate number 5"),
        ("3 1\n1 1 1 0\n" + GOOD_TAIL, 2, "appears twice"),
        ("3 1\n\n# note\n1 1=2 0\n" + GOOD_TAIL, 4, "equal preferences"),
        ("3 1\n1 1 - 2 0\n" + GOOD_TAIL, 2, "skipped preferences"),
        ("3 1\n0 1 2 0\n" + GOOD_TAIL, 2, "multiplier must be at least 1"),
        ("3 1\n1.5 1 2 0\n" + GOOD_TAIL, 2, "ballot multiplier"),
        ("3 1\n1 1 0 2 0\n" + GOOD_TAIL, 2, "0 may only end a ballot"),
        ('3 1\n1 1 0\n"A"\n"B"\n"C"\n', 3, "single 0"),
        ("3 1\n1 1 0\n", 2, "missing the 0 line"),
        ('3 1\n1 1 0\n0\n"A"\n"B"\n', 5, "expected 3 candidate names, found 2"),
        ('3 1\n1 1 0\n0\n"A"\nB\n"C"\n"T"\n', 5, "quoted name"),
        ('3 1\n1 1 0\n0\n"A"\n"A"\n"C"\n"T"\n', 5, "used twice"),
        ('3 1\n1 1 0\n0\n"A"\n"B"\n"C"\n"T"\n"extra"\n', 8, "after the title"),
    ],
)
def test_errors_name_the_line(text, line, words):
    exc = error(text)
    assert exc.line == line, exc
    assert words in exc.message, exc.message
    assert str(exc).startswith(f"line {line}: ")


def test_missing_file_is_a_ballot_file_error(tmp_path):
    with pytest.raises(BallotFileError):
        read_blt(tmp_path / "nope.blt")


def test_count_from_blt():
    result = irv(read_blt(DATA / "sample.blt"))
    assert result.stages[0].votes == {"Cai": 4, "Ana": 4, "Ben": 2}
    assert result.invalid_ballots == 1
    assert result.parameters["withdrawn"] == ["Dee"]
