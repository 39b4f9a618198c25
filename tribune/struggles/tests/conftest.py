"""The test world, with Ana holding a mandate to run struggles for the whole organisation."""

import pytest

from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office


def give_mandate(world, member, branch=None):
    body = create_body(
        world.org,
        name=f"Campaigns committee {member.pk}",
        kind=BodyKind.COMMITTEE,
        branch=branch,
    )
    office = create_office(
        body, title="Campaigns officer", mandate="Run our campaigns.", powers=["run_struggles"]
    )
    return begin_term(office, member, source=TermSource.ELECTION)


@pytest.fixture
def organiser(world):
    give_mandate(world, world.ana)
    return world.ana


@pytest.fixture
def live_organiser(live_world):
    give_mandate(live_world, live_world.ana)
    return live_world.ana
