import pytest

from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office


@pytest.fixture
def curator(world):
    """Cam curates the archive through a term of office, like every power."""
    body = create_body(world.org, name="Archive committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body,
        title="Archivist",
        mandate="Keep the archive: publish what members propose, or say why not.",
        powers=["curate_archive"],
    )
    begin_term(office, world.cam, source=TermSource.ELECTION)
    return world.cam
