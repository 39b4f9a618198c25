"""The archive's and the struggles' lists cost the same number of queries for 5 rows as for 50.

As ``test_query_counts`` for the older apps (issue 12): rows made through the
services, the page or API list measured at 5 rows and again at 50.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.archive import services as archive
from tribune.lib import ratelimit
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office
from tribune.struggles.models import Notice
from tribune.struggles.services import events, pledges
from tribune.struggles.services import struggles as struggle_services
from tribune.web.tests.test_query_counts import _counter, client_for, same_for_5_and_50  # noqa: F401

ORG = "/o/test-union"
API = "/api/v1/organisations/test-union"


def _office(world, member, power):
    body = create_body(world.org, name=f"Committee for {power}", kind=BodyKind.COMMITTEE)
    office = create_office(body, title=f"Officer for {power}", mandate="Do it.", powers=[power])
    begin_term(office, member, source=TermSource.ELECTION)


@pytest.fixture
def documents(world, monkeypatch):
    """Published documents, every other one members-only."""
    roomy = ratelimit.Limit("archive-propose-test", attempts=1000, seconds=3600)
    monkeypatch.setattr(archive, "PROPOSAL_LIMIT", roomy)
    _office(world, world.cam, "curate_archive")
    to = _counter()

    def make(a, b):
        for i in range(a, b):
            document = archive.propose_document(
                world.ben,
                world.org,
                title=f"Bulletin {i}",
                text=f"Picket number {i}.",
                visibility="members" if i % 2 else "public",
            )
            archive.decide(world.cam, document.versions.get(), publish=True, reason="Clear.")

    return lambda n: to(n, make)


@pytest.fixture
def campaigns(world):
    """Struggles, each with a pledge and an event, and a notice for Ben."""
    _office(world, world.ana, "run_struggles")
    to = _counter()
    now = timezone.now()

    def make(a, b):
        for i in range(a, b):
            struggle = struggle_services.start_struggle(
                world.ana, world.org, title=f"Campaign {i}", summary="Win."
            )
            pledges.create_pledge(
                world.ana,
                world.org,
                action=f"strike {i}",
                threshold=100,
                deadline=now + timedelta(days=20),
                struggle=struggle,
            )
            events.create_event(
                world.ana,
                world.org,
                title=f"Meeting {i}",
                starts_at=now + timedelta(days=2, hours=i),
                ends_at=now + timedelta(days=2, hours=i + 1),
                place="The hall",
                struggle=struggle,
            )
            Notice.objects.create(member=world.ben, key=f"n{i}", text=f"Notice {i}", link="/")

    return lambda n: to(n, make)


def test_archive_index(world, client_for, documents):  # noqa: F811
    same_for_5_and_50(client_for("ben"), f"{ORG}/archive/", documents)


def test_api_archive_documents(world, client_for, documents):  # noqa: F811
    same_for_5_and_50(client_for("ben"), f"{API}/archive/documents", documents)


def test_struggles_page(world, client_for, campaigns):  # noqa: F811
    same_for_5_and_50(client_for("ben"), f"{ORG}/struggles/", campaigns)


@pytest.mark.parametrize("what", ["struggles", "pledges", "events", "me/notices"])
def test_api_struggles_lists(world, client_for, campaigns, what):  # noqa: F811
    same_for_5_and_50(client_for("ben"), f"{API}/{what}", campaigns)


def test_my_notices(world, client_for, campaigns):  # noqa: F811
    same_for_5_and_50(client_for("ben"), f"{ORG}/me/notices/", campaigns)
