"""The demo organisation: branches, ~200 members, a provisional committee, pending business.

Built through the same actions a real organisation uses, so the demo's audit
log verifies and every page shows something real. Deterministic (fixed seed).

The story is told one subject a module (``founding``, ``elections``,
``factions``, ``debates``, ``congresses``, ``archive``), in the order
``create_demo`` tells it; the other apps add their own part (``struggles``,
``education``, ``networks`` each have a ``demo`` module) with the same clock.
This package names what callers use: ``create_demo``, ``remove_demo``,
``SLUG``, and the founding's constants and ``_user`` that the networks' demo
borrows for its second organisation.
"""

from django.db import transaction

from tribune.education.demo import education_demo
from tribune.networks.demo import networks_demo
from tribune.organisations.demo.archive import _archive
from tribune.organisations.demo.clock import Clock
from tribune.organisations.demo.congresses import (
    _first_congress,
    _second_congress_called,
    _second_congress_sits,
)
from tribune.organisations.demo.debates import _debates
from tribune.organisations.demo.elections import _current_business, _past_election
from tribune.organisations.demo.factions import _factions
from tribune.organisations.demo.founding import CONSTITUTION, FIRST, LAST, SLUG, _found, _user
from tribune.organisations.demo.wiping import remove_demo
from tribune.organisations.models import Organisation
from tribune.struggles.demo import struggles_demo

__all__ = [
    "CONSTITUTION",
    "FEWEST_MEMBERS",
    "FIRST",
    "LAST",
    "SLUG",
    "Clock",
    "_user",
    "create_demo",
    "remove_demo",
]

# The demo's debates, votes and congresses call on 40 ordinary members besides the
# named ones, and a quorum of the rest: below this it cannot be told as written.
FEWEST_MEMBERS = 80


@transaction.atomic
def create_demo(members: int = 200) -> Organisation:
    if members < FEWEST_MEMBERS:
        raise ValueError(f"The demo needs at least {FEWEST_MEMBERS} members (asked for {members}).")
    with Clock(days_ago=60) as clock:
        organisation = _found(members)
        clock.advance(days=1)
        _past_election(organisation, clock)
        _factions(organisation, clock)
        _debates(organisation, clock)
        _first_congress(organisation, clock)
        congress = _second_congress_called(organisation, clock)
        _current_business(organisation, clock)
        _second_congress_sits(congress, clock)
        _archive(organisation, clock)
        struggles_demo(organisation, clock)
        education_demo(organisation, clock)
        networks_demo(organisation, clock)
    return organisation
