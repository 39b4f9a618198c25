"""Invariants of the two STV counts on random profiles (hypothesis), and
agreement with pref_voting's independent STV implementations.

Invariants checked on every profile:

* exactly ``seats`` candidates are elected when enough candidates stand;
* no candidate who had reached the quota is ever excluded;
* votes are conserved at every stage: the candidates' totals plus the
  non-transferable votes equal the valid ballots -- exactly for Meek STV, and
  for Scottish STV up to the votes lost to truncation, which are reported and
  are less than 0.00001 per transferred paper;
* surplus transfers only add votes to other candidates and leave the
  transferring candidate with exactly the quota;
* with a reserved-seat minimum the minimum is met whenever it is feasible;
* the result is a deterministic function of the profile and the seed.
"""

from __future__ import annotations

import re
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.proportional_methods import stv_meek as pv_stv_meek
from pref_voting.proportional_methods import stv_scottish as pv_stv_scottish

from tribune.voting import RankedProfile, Result, meek_stv, scottish_stv

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def profiles(draw, max_candidates: int = 7, max_weight: int = 6):
    n = draw(st.integers(2, max_candidates))
    k = draw(st.integers(1, 12))
    ballots: dict[tuple[int, ...], int] = {}
    for _ in range(k):
        perm = draw(st.permutations(range(n)))
        length = draw(st.integers(1, n))
        ranking = tuple(perm[:length])
        ballots[ranking] = ballots.get(ranking, 0) + draw(st.integers(1, max_weight))
    names = tuple("ABCDEFGHIJ"[:n])
    withdrawn = draw(st.sets(st.integers(0, n - 1), max_size=1)) if n > 2 else set()
    seats = draw(st.integers(1, n - 1))
    profile = RankedProfile(names, tuple(ballots.items()), frozenset(withdrawn))
    return profile, seats


def quota_of(stage_note: str) -> Fraction:
    match = re.search(r"quota ([0-9.]+)", stage_note)
    assert match, stage_note
    return Fraction(match.group(1))


def check_common(result: Result, profile: RankedProfile, seats: int) -> None:
    standing = len(profile.candidates) - len(profile.withdrawn)
    if result.valid_ballots:
        assert len(result.elected) == min(seats, standing)
    else:
        assert len(result.elected) <= seats
    assert len(set(result.elected)) == len(result.elected)
    assert not set(result.elected) & {profile.candidates[c] for c in profile.withdrawn}


@SETTINGS
@given(profiles(), st.integers(0, 2**32))
def test_scottish_invariants(case, seed) -> None:
    profile, seats = case
    result = scottish_stv(profile, seats, seed=seed)
    check_common(result, profile, seats)
    quota = Fraction(result.quota)
    loss = Fraction(0)
    previous = None
    for stage in result.stages:
        if stage.action.startswith("Surplus of "):
            name = stage.action.removeprefix("Surplus of ")
            assert stage.votes[name] == quota
            assert previous is not None and stage.transfers[name] == quota - previous[name]
            assert all(v > 0 for k, v in stage.transfers.items() if k != name)
            match = re.search(r"loss from truncation ([0-9.]+)", stage.note)
            lost = Fraction(match.group(1)) if match else Fraction(0)
            assert 0 <= lost < Fraction(result.valid_ballots, 10**5)
            loss += lost
        for name in stage.excluded:
            # never exclude a candidate who had reached the quota
            assert previous is not None and previous[name] < quota
            assert all(v > 0 for k, v in stage.transfers.items() if k != name)
        total = sum(Fraction(v) for v in stage.votes.values()) + Fraction(stage.exhausted)
        assert total + loss == result.valid_ballots
        previous = {k: Fraction(v) for k, v in stage.votes.items()}
    assert Fraction(result.parameters["truncation_loss"]) == loss
    again = scottish_stv(profile, seats, seed=seed)
    assert again.to_dict() == result.to_dict()


@SETTINGS
@given(profiles(), st.integers(0, 2**32))
def test_meek_invariants(case, seed) -> None:
    profile, seats = case
    result = meek_stv(profile, seats, seed=seed)
    check_common(result, profile, seats)
    previous = None
    previous_quota = None
    for stage in result.stages:
        total = sum(Fraction(v) for v in stage.votes.values()) + Fraction(stage.exhausted)
        assert total == result.valid_ballots  # Meek's arithmetic conserves exactly
        quota = quota_of(stage.note)
        for name in stage.excluded:
            if stage.action.startswith("Exclusion of "):
                assert previous is not None and previous[name] < previous_quota
        for name in stage.elected:
            assert Fraction(stage.votes[name]) >= quota or "seats left" in stage.note
        previous = {k: Fraction(v) for k, v in stage.votes.items()}
        previous_quota = quota
    again = meek_stv(profile, seats, seed=seed)
    assert again.to_dict() == result.to_dict()


@SETTINGS
@given(profiles(), st.data())
def test_minimums_are_met_when_feasible(case, data) -> None:
    profile, seats = case
    n = len(profile.candidates)
    group = data.draw(st.sets(st.integers(0, n - 1), min_size=1))
    available = group - profile.withdrawn
    minimum = data.draw(st.integers(1, max(1, min(seats, len(available)))))
    minimums = {"group": (group, minimum)}
    feasible = minimum <= min(seats, len(available))
    for method in (scottish_stv, meek_stv):
        result = method(profile, seats, seed=1, minimums=minimums)
        check_common(result, profile, seats)
        elected = {profile.candidates.index(name) for name in result.elected}
        report = result.parameters["minimums"]
        if feasible and result.valid_ballots:
            assert len(elected & group) >= minimum, method.__name__
            assert report["group"]["met"] is True


def to_pref_voting(profile: RankedProfile) -> ProfileWithTies:
    grouped = profile.grouped()
    rankings = [{c: i + 1 for i, c in enumerate(r)} for r, _ in grouped.ballots]
    counts = [w for _, w in grouped.ballots]
    standing = [c for c in range(len(profile.candidates)) if c not in profile.withdrawn]
    pv = ProfileWithTies(rankings, rcounts=counts, candidates=standing)
    pv.use_extended_strict_preference()
    return pv


@st.composite
def untied_profiles(draw):
    """Profiles with uneven weights, so exact ties are rare."""
    profile, seats = draw(profiles(max_candidates=6, max_weight=1000))
    return RankedProfile(profile.candidates, profile.ballots), seats


@SETTINGS
@given(untied_profiles())
def test_scottish_agrees_with_pref_voting(case) -> None:
    profile, seats = case
    assume(profile.grouped().ballots)
    result = scottish_stv(profile, seats, seed=1)
    assume(not result.ties)  # lots and tie rules may legitimately differ
    theirs = pv_stv_scottish(to_pref_voting(profile), num_seats=seats)
    assert sorted(profile.candidates.index(c) for c in result.elected) == sorted(theirs)


@SETTINGS
@given(untied_profiles())
def test_meek_agrees_with_pref_voting(case) -> None:
    profile, seats = case
    assume(profile.grouped().ballots)
    result = meek_stv(profile, seats, seed=1)
    assume(not result.ties)
    # pref_voting counts in floating point: only compare counts whose
    # decisions were not razor-thin
    for stage in result.stages:
        votes = sorted(Fraction(v) for v in stage.votes.values())
        gaps = [b - a for a, b in zip(votes, votes[1:], strict=False)]
        assume(all(g == 0 or g > Fraction(1, 1000) for g in gaps))
    theirs = pv_stv_meek(to_pref_voting(profile), num_seats=seats)
    assert sorted(profile.candidates.index(c) for c in result.elected) == sorted(theirs)


def test_published_files_agree_with_pref_voting() -> None:
    """pref_voting, counting the shipped real ballots, elects the same people."""
    from pathlib import Path

    from tribune.voting import read_blt

    data = Path(__file__).parent / "data"
    cases = [
        ("scotland-2007-glasgow-govan.blt", 4, False),
        ("scotland-2007-glasgow-springburn.blt", 3, False),
        ("wichmann-1999-m135.blt", 7, False),  # pref_voting's Meek needs minutes here
        ("gpus-2005-steering-committee.blt", 4, True),
    ]
    for name, seats, with_meek in cases:
        profile = read_blt(data / name)
        pv = to_pref_voting(profile)
        ours = sorted(
            profile.candidates.index(c) for c in scottish_stv(profile, seats, seed=1).elected
        )
        assert ours == sorted(pv_stv_scottish(pv, num_seats=seats)), name
        if with_meek:
            ours = sorted(
                profile.candidates.index(c) for c in meek_stv(profile, seats, seed=1).elected
            )
            assert ours == sorted(pv_stv_meek(pv, num_seats=seats)), name
