"""A registered faction of the test world, with a private member."""

import pytest

from tribune.factions import services
from tribune.factions.models import Visibility

PLATFORM = "## For rent control\n\nWe organise for a legal cap on rents."


@pytest.fixture
def faction(world):
    """Rent Control Now: Ben (convenor, public), Cam and Eli founders, Dana joined privately."""
    faction = services.propose_faction(
        world.ben, world.org, name="Rent Control Now", platform=PLATFORM
    )
    services.sign_founding(world.cam, faction)
    services.sign_founding(world.eli, faction)
    faction.refresh_from_db()
    services.set_visibility(world.ben, faction, Visibility.PUBLIC)
    services.set_visibility(world.cam, faction, Visibility.PUBLIC)
    services.join_faction(world.dana, faction, visibility=Visibility.PRIVATE)
    faction.refresh_from_db()
    return faction
