"""Two organisations for the networks tests: the test world's Test Union and Other Union.

* Test Union: ana is made its network delegate (an office whose mandate grants
  ``represent_in_networks`` and ``run_struggles``); ben and cam are members.
* Other Union (founded through the founding service): zoe is its provisional
  secretary with the same powers; yan and xia are members.

``referendum(org, caller, voters)`` holds a real, certified referendum of the
whole membership and returns it (what ``decision_kind="referendum"`` cites).
"""

from datetime import timedelta
from unittest import mock

import pytest

from conftest import CONSTITUTION, make_user
from tribune.elections import services as elections
from tribune.elections.models import Kind
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

DELEGATE_POWERS = ["represent_in_networks", "run_struggles"]


def referendum(org, caller, voters, title="Join the network?", yes=True):
    election = elections.call_election(
        caller,
        kind=Kind.REFERENDUM,
        title=title,
        question=title,
        electorate_branch=org.root_branch,
    )
    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(minutes=1)
    ):
        for voter in voters:
            elections.cast_ballot(voter, election, "yes" if yes else "no")
    return elections.advance(election, election.voting_close_at)


class Pair:
    def __init__(self, world):
        from tribune.members.models import Member
        from tribune.members.services import admit_member, apply_for_membership
        from tribune.organisations.services import found_organisation

        self.world = world
        self.a = world.org
        body = create_body(self.a, name="Network delegation", kind=BodyKind.COMMISSION)
        self.delegate_office = create_office(
            body,
            title="Network delegate",
            mandate="Represent us in networks and coalitions, and carry out our decisions there.",
            powers=DELEGATE_POWERS,
        )
        begin_term(self.delegate_office, world.ana, source=TermSource.ELECTION)
        self.ana, self.ben, self.cam = world.ana, world.ben, world.cam
        users = {s: make_user(s) for s in ("zoe", "yan", "xia")}
        self.b = found_organisation(
            name="Other Union",
            slug="other-union",
            constitution=dict(CONSTITUTION),
            founders=[
                {
                    "name": "Zoe",
                    "email": "zoe@test.org",
                    "user": users["zoe"],
                    "office": "Secretary",
                    "powers": ["admit_members", "call_elections", *DELEGATE_POWERS],
                }
            ],
        )
        self.zoe = Member.objects.get(organisation=self.b, name="Zoe")
        for short in ("yan", "xia"):
            applicant = apply_for_membership(
                self.b,
                user=users[short],
                name=short.title(),
                email=f"{short}@test.org",
                branch=self.b.root_branch,
            )
            admit_member(self.zoe, applicant)
            applicant.refresh_from_db()
            setattr(self, short, applicant)

    def vote_a(self, title="Join?", yes=True):
        return referendum(self.a, self.ana, [self.ana, self.ben, self.cam], title, yes)

    def vote_b(self, title="Join?", yes=True):
        return referendum(self.b, self.zoe, [self.zoe, self.yan, self.xia], title, yes)


@pytest.fixture
def pair(world) -> Pair:
    return Pair(world)


@pytest.fixture
def live_pair(live_world) -> Pair:
    return Pair(live_world)


def more_members(org, admitter, n: int, tag: str) -> list:
    from tribune.members.services import admit_member, apply_for_membership

    people = []
    for i in range(n):
        applicant = apply_for_membership(
            org,
            user=None,
            name=f"{tag.title()} Person {i}",
            email=f"{tag}{i}@test.org",
            branch=org.root_branch,
        )
        admit_member(admitter, applicant)
        applicant.refresh_from_db()
        people.append(applicant)
    return people


@pytest.fixture(autouse=True)
def no_federation_wire():
    """These tests check the seam (what is forwarded), not the wire: the federation's
    receiver, which refuses an act on a copy when no link with its home server is active
    (tribune/federation/network_bridge.py), is disconnected here and tested there."""
    from tribune.networks.common import forward

    disconnected = forward.disconnect(dispatch_uid="federation.forward_home")
    yield
    if disconnected:
        from tribune.federation.network_bridge import forward_home

        forward.connect(forward_home, dispatch_uid="federation.forward_home")
