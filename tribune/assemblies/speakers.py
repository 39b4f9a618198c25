"""The order of the list of speakers, under the standing orders' fairness rules.

Given who asked to speak (and when), who has already spoken on the item, and
the rules in force, return the order the chair calls them in:

1. points of order jump the queue (in the order raised);
2. with ``first_speakers_first``, those who have not yet spoken on the item
   come before those who have;
3. with ``alternate`` (e.g. gender-balanced lists), the list alternates between
   groups, starting with the group that did not speak last, as long as both
   groups have someone waiting;
4. otherwise, first come, first served.

Hand-written because the rules are the organisation's own standing orders,
and the chair must be able to explain every place on the list. Pure Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    speaker: str
    order: int  # when the request was made (any increasing number)
    group: str = ""  # for alternating lists; "" when not used
    point_of_order: bool = False


@dataclass(frozen=True)
class Rules:
    first_speakers_first: bool = True
    alternate: bool = False


def speaking_order(
    requests: Sequence[Request],
    *,
    already_spoke: set[str] = frozenset(),
    last_group: str | None = None,
    rules: Rules = Rules(),
) -> list[Request]:
    """The waiting requests in the order they will be called."""
    points = sorted((r for r in requests if r.point_of_order), key=lambda r: r.order)
    rest = sorted((r for r in requests if not r.point_of_order), key=lambda r: r.order)
    if rules.first_speakers_first:
        # Stable: within each tier, first come first served.
        rest.sort(key=lambda r: r.speaker in already_spoke)
    if not rules.alternate:
        return points + rest
    ordered, spoke, previous = [], set(already_spoke), last_group
    waiting = list(rest)
    while waiting:
        tiers = [r for r in waiting if not rules.first_speakers_first or r.speaker not in spoke]
        pool = tiers or waiting
        other = [r for r in pool if r.group != previous]
        chosen = (other or pool)[0]
        ordered.append(chosen)
        waiting.remove(chosen)
        spoke.add(chosen.speaker)
        previous = chosen.group
    return points + ordered
