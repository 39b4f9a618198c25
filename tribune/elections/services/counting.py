"""Counting and the published ballot box: the box is counted exactly as it is published, so
anyone can recount it and reach the same result.
"""

import random
from fractions import Fraction

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _t

from tribune import voting
from tribune.elections import sealing, turnout
from tribune.elections.models import (
    YES_NO_CHOICES,
    Ballot,
    Candidacy,
    Election,
    Kind,
    Method,
    Status,
)
from tribune.elections.services.nominations import _ballot_candidacies
from tribune.elections.services.steps import _move
from tribune.lib.errors import RuleViolation


def candidate_names(election: Election) -> dict[int, str]:
    """Candidacy id → the name printed on the ballot (unique even for namesakes).

    Where an election ranks options that are not candidacies (``Election.options``,
    e.g. an assembly's competing motions), option id → its name, made unique the same way.
    """
    if election.options is not None:
        entries = [(int(pk), str(name)) for pk, name in election.options]
    else:
        entries = [(c.pk, c.member.name) for c in _ballot_candidacies(election)]
    names, seen = {}, {}
    for pk, name in entries:
        seen[name] = seen.get(name, 0) + 1
        names[pk] = name if seen[name] == 1 else f"{name} ({seen[name]})"
    return names


def once_certified(election: Election, what: str, build):
    """``build()``, computed once and kept in the cache when ``election`` is certified.

    A certified box never changes, nor does anything derived from it (the BLT file,
    the proportionality report): at 20,000 ballots rebuilding them cost a third of a
    second per view (issue 12). Before certification they are built on each call.
    The key names the election's seed and creation time too, so a reused id (a
    restored database) can never be served another election's box.
    """
    if election.status != Status.CERTIFIED:
        return build()
    key = (
        f"tribune:certified:{election.pk}:{election.seed}:{election.created_at.timestamp()}:{what}"
    )
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=None)
    return value


def published_box(election: Election) -> list[dict]:
    """The ballot box in a random order fixed by the election's seed, with trackers."""

    def build() -> list[dict]:
        ballots = list(Ballot.objects.filter(election=election).values("tracker", "choice"))
        ballots.sort(key=lambda b: b["tracker"])
        random.Random(election.seed).shuffle(ballots)
        return ballots

    return once_certified(election, "box", build)


def box_profile(election: Election, box: list[dict] | None = None) -> voting.RankedProfile:
    """The box as the voting engine reads it (``box``: the published box, if already read)."""
    names = candidate_names(election)
    ids = list(names)
    index = {cid: i for i, cid in enumerate(ids)}
    box = published_box(election) if box is None else box
    rankings = [tuple(index[c] for c in b["choice"]) for b in box]
    return voting.RankedProfile.from_rankings(
        [names[c] for c in ids], rankings, title=election.title
    )


def box_blt(election: Election) -> str:
    return once_certified(
        election, "blt", lambda: voting.write_blt(box_profile(election), election.seats)
    )


def _motion_rule(election: Election) -> voting.MotionRule:
    size = election.electorate_size or 0
    if election.motion_rule:
        rule = election.motion_rule
        return voting.MotionRule(
            threshold=Fraction(rule.get("threshold", "1/2")),
            strict=rule.get("strict", True),
            base=rule.get("base", "yes_no"),
            electorate=size,
            quorum_turnout=rule.get("quorum_turnout"),
            name=rule.get("name", "simple majority"),
        )
    constitution = election.organisation.current_constitution()
    quorum = Fraction(constitution.quorum_percent) / 100
    if election.kind == Kind.AMENDMENT:
        return voting.MotionRule(
            threshold=constitution.amendment_majority,
            strict=False,
            base="yes_no",
            electorate=size,
            quorum_fraction=quorum,
            name=_t("%(m)s majority of yes and no votes") % {"m": constitution.amendment_majority},
        )
    return voting.MotionRule(electorate=size, quorum_fraction=quorum)


def _yes_no_tally(election: Election) -> dict[str, int]:
    """Yes, no and abstain ballots in the box, added up by the database.

    A congress's result is awaited by every screen in the hall: the box's thousands
    of rows need not come to Python (and be shuffled, as the published box is) to be
    added up.
    """
    by_choice = dict(
        Ballot.objects.filter(election=election)
        .order_by()
        .values_list("choice")
        .annotate(n=Count("pk"))
    )
    return {k: by_choice.get(k, 0) for k in YES_NO_CHOICES}


@transaction.atomic
def count(election: Election) -> Election:
    """Count the box as published, record the result, and re-seal box and roll (``sealing``)."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Status.VOTING_CLOSED:
        raise RuleViolation(_t("Votes are counted only after voting closes."))
    sealing.reseal(election)
    turnout.close(election)
    # A yes/no count is added up by the database; the others read the box once.
    box = None if election.method == Method.YES_NO else published_box(election)
    if election.method == Method.YES_NO:
        tally = _yes_no_tally(election)
        election.turnout = sum(tally.values())
        result = voting.motion(
            tally["yes"], tally["no"], tally["abstain"], rule=_motion_rule(election)
        )
        election.passed = bool(result.carried)
    elif election.options is None and not box:
        # No one is elected without a vote: the constitution's uncontested returns
        # (``_return_unopposed``) are the only way into office without ballots.
        election.turnout = 0
        result = voting.Result(
            method=election.method,
            seats=election.seats,
            elected=[],
            parameters={"no_ballots": True},
        )
    else:
        election.turnout = len(box)
        profile = box_profile(election, box)
        counter = {
            Method.IRV: lambda p: voting.irv(p, seed=election.seed),
            Method.SCOTTISH_STV: lambda p: voting.scottish_stv(
                p, election.seats, seed=election.seed
            ),
            Method.MEEK_STV: lambda p: voting.meek_stv(p, election.seats, seed=election.seed),
            # The full Schulze order; ties between options are broken by the seeded lot.
            Method.SCHULZE: lambda p: voting.schulze(p, seed=election.seed),
        }[election.method]
        result = counter(profile)
        if election.options is None:
            by_name = {name: cid for cid, name in candidate_names(election).items()}
            for rank, name in enumerate(result.elected, start=1):
                Candidacy.objects.filter(pk=by_name[name]).update(elected_rank=rank)
    election.result = result.to_dict()
    if result.parameters.get("no_ballots"):
        election.result["outcome"] = _t("No ballots were cast: no one is elected.")
    election.save(update_fields=["result", "passed", "turnout"])
    _move(election, Status.COUNTED, data={"turnout": election.turnout})
    return election
