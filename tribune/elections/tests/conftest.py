"""Helpers for election tests: an elected committee office and a clock to move."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.elections import services
from tribune.offices.models import BodyKind
from tribune.offices.services import create_body, create_office


@pytest.fixture
def office(world):
    body = create_body(world.org, name="Executive committee", kind=BodyKind.COMMITTEE)
    return create_office(
        body,
        title="Secretary",
        mandate="Keep the organisation's records and correspondence.",
        powers=["admit_members"],
        term_days=365,
    )


class Clock:
    """Moves elections forward as if time had passed (advance takes ``now``)."""

    def __init__(self):
        self.now = timezone.now()

    def days(self, n: float, election=None):
        self.now += timedelta(days=n)
        if election is not None:
            return services.advance(election, self.now)
        return None


@pytest.fixture
def clock():
    return Clock()
