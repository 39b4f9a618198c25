"""Apportioning congress delegates among branches in proportion to their membership.

Two standard methods, exact (integers and ``Fraction``), with ties broken by
a stated rule (larger membership first, then branch name) so the same
membership figures always give the same delegations:

* **largest remainder** (Hamilton/Hare): quotas ``seats × members / total``;
  each branch gets the whole part, the remaining seats go to the largest
  remainders;
* **Sainte-Laguë**: seats one by one to the highest ``members / (2s + 1)``.

``minimum`` guarantees every branch at least that many delegates first (as
many constitutions do), then apportions the rest. Pure Python, no Django.
"""

from __future__ import annotations

from fractions import Fraction


def _order(members: dict[str, int]):
    return lambda name: (-members[name], name)


def largest_remainder(members: dict[str, int], seats: int, minimum: int = 0) -> dict[str, int]:
    _check(members, seats, minimum)
    given = {name: minimum for name in members}
    seats -= minimum * len(members)
    total = sum(members.values())
    if seats == 0 or total == 0:
        return given
    quotas = {name: Fraction(seats * n, total) for name, n in members.items()}
    for name, quota in quotas.items():
        given[name] += quota.numerator // quota.denominator
    left = seats - sum(q.numerator // q.denominator for q in quotas.values())
    by_remainder = sorted(
        members, key=lambda name: (-(quotas[name] - int(quotas[name])), *_order(members)(name))
    )
    for name in by_remainder[:left]:
        given[name] += 1
    return given


def sainte_lague(members: dict[str, int], seats: int, minimum: int = 0) -> dict[str, int]:
    _check(members, seats, minimum)
    given = {name: minimum for name in members}
    if sum(members.values()) == 0:
        return given
    for _ in range(seats - minimum * len(members)):
        best = min(
            members,
            key=lambda name: (
                -Fraction(members[name], 2 * given[name] + 1),
                *_order(members)(name),
            ),
        )
        given[best] += 1
    return given


METHODS = {"largest-remainder": largest_remainder, "sainte-lague": sainte_lague}


def _check(members: dict[str, int], seats: int, minimum: int) -> None:
    if seats < 0 or minimum < 0 or any(n < 0 for n in members.values()):
        raise ValueError("seats, minimum and memberships must not be negative")
    if minimum * len(members) > seats:
        raise ValueError("more seats guaranteed by the minimum than there are seats")
