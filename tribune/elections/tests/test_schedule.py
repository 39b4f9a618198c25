"""The clock calls each office's election once per term, and never re-elects a delegation.

A congress delegate's term (to the congress's end plus two days) is shorter than
the constitution's 42-day lead: a delegation is elected per occasion, by its
assembly's chair, and the clock leaves it alone; any other office whose term is
shorter than twice the lead is called half a term ahead, so a freshly elected
term covers it.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tribune.assemblies import services as assemblies
from tribune.assemblies.models import Assembly
from tribune.elections import services
from tribune.elections.models import Status
from tribune.offices.models import BodyKind, Term, TermSource
from tribune.offices.services import begin_term, create_body, create_office


def _elect(election, *candidates, voters=()):
    """Candidates stand, voters rank them, the clock closes and certifies."""
    ids = [services.nominate(c, election, c).pk for c in candidates]
    election = services.advance(election, election.voting_open_at)
    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(minutes=1)
    ):
        for voter in voters:
            services.cast_ballot(voter, election, ids)
    election = services.advance(election, election.voting_close_at)
    assert election.status == Status.CERTIFIED
    return election


@pytest.fixture
def congress(world):
    """A congress of delegates a month away; Eli chairs it."""
    body = create_body(world.org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene the congress.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    now = timezone.now()
    return assemblies.convene(
        world.ana,
        world.root,
        title="Congress",
        kind=Assembly.Kind.DELEGATES,
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=31),
        motions_deadline=now + timedelta(days=20),
        chair=world.eli,
        delegate_seats=2,
    )


def _delegation_elections():
    return services.Election.objects.filter(office__body__kind=BodyKind.DELEGATION)


def test_after_delegates_are_elected_the_clock_calls_nothing_more_for_them(world, congress):
    called = assemblies.call_delegate_elections(world.eli, congress)
    assert called
    for election in called:
        _elect(election, world.ben, world.cam, voters=[world.ben])
    delegates = Term.objects.filter(office__body__kind=BodyKind.DELEGATION)
    assert {t.member for t in delegates} == {world.ben, world.cam}
    assert all(t.ends_at < timezone.now() + timedelta(days=42) for t in delegates)
    before = _delegation_elections().count()
    for days in (0, 1, 10, 40):  # through the congress and past its end
        services.schedule_elections(timezone.now() + timedelta(days=days))
    assert _delegation_elections().count() == before


def test_an_ordinary_office_still_gets_its_election_ahead_of_the_term_end(world, office):
    begin_term(
        office,
        world.ben,
        source=TermSource.ELECTION,
        starts_at=timezone.now() - timedelta(days=300),
    )
    assert office not in [e.office for e in services.schedule_elections()]  # 65 days left
    called = services.schedule_elections(timezone.now() + timedelta(days=24))  # 41 days left
    assert [(e.office, e.seats) for e in called if e.office == office] == [(office, 1)]


def test_a_term_shorter_than_the_lead_is_called_half_a_term_ahead_not_at_once(world, office):
    short = create_office(
        office.body, title="Strike coordinator", mandate="Run the strike.", term_days=40
    )
    first = [e for e in services.schedule_elections() if e.office == short]  # vacant: called
    assert len(first) == 1
    _elect(first[0], world.ben, voters=[world.cam])
    term = Term.objects.get(office=short)
    assert term.ends_at - term.starts_at == timedelta(days=40)
    # Freshly elected, the term covers the office: no new election the moment it begins.
    for days in (0, 1, 19):
        later = term.starts_at + timedelta(days=days)
        assert short not in [e.office for e in services.schedule_elections(later)]
    again = services.schedule_elections(term.starts_at + timedelta(days=21))
    assert short in [e.office for e in again]
    assert services.election_lead(short, world.org.current_constitution()) == timedelta(days=20)
