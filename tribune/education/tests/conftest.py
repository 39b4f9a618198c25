"""Education's test world: a planner (an elected office), a published reading, a course.

* cam holds ``plan_courses`` and ``curate_archive`` through a term (the education committee)
* the course "Organising 101" has four sessions, 75 % to complete (3 of 4)
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.archive import services as archive
from tribune.education import services
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office


@pytest.fixture
def planner(world):
    body = create_body(world.org, name="Education committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body,
        title="Education secretary",
        mandate="Write courses from the archive's documents.",
        powers=["plan_courses", "curate_archive"],
    )
    begin_term(office, world.cam, source=TermSource.ELECTION)
    return world.cam


@pytest.fixture
def reading(world, planner):
    document = archive.propose_document(
        world.ben, world.org, title="How we won the rent strike", text="Tenants organised."
    )
    archive.decide(planner, document.versions.get(), publish=True, reason="Clear.")
    return document.versions.get()


@pytest.fixture
def course(world, planner, reading):
    return services.create_course(
        planner,
        world.org,
        title="Organising 101",
        core=True,
        completion_percent=75,
        sessions=[
            {"title": "Why organise", "readings": [[reading.document_id, 1]]},
            {"title": "One-to-ones"},
            {"title": "Building a committee"},
            {"title": "Winning"},
        ],
    )


def dates(first_hours_ago: float, count: int = 4, every_days: int = 7) -> list:
    """Session times: the first ``first_hours_ago`` hours ago, then weekly."""
    start = timezone.now() - timedelta(hours=first_hours_ago)
    return [
        [start + timedelta(days=every_days * i), start + timedelta(days=every_days * i, hours=2)]
        for i in range(count)
    ]


def hold(circle, facilitator, attendee, sessions: int, state="attended"):
    """Make the first ``sessions`` sessions of ``circle`` begun and mark ``attendee``."""
    done = []
    for session in circle.sessions.order_by("event__starts_at")[:sessions]:
        session.event.starts_at = timezone.now() - timedelta(minutes=5)
        session.event.save(update_fields=["starts_at"])
        done.append(services.record_attendance(facilitator, session, attendee.pk, state))
    return done
