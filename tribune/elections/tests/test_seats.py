"""A multi-seat office whose seats are all held is filled by election, seat by seat.

Each winner takes over the seat that ends soonest (a re-elected holder keeps
their own), starting when its holder's term ends; no seat is ever held twice.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from tribune.elections import services
from tribune.elections.models import Status
from tribune.lib.errors import RuleViolation
from tribune.members.models import Member
from tribune.offices.models import BodyKind, Term, TermSource
from tribune.offices.services import begin_term, create_body, create_office


@pytest.fixture
def committee(world):
    """The executive's three committee members, all held, their terms ending within the lead."""
    body = create_body(world.org, name="Executive", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Committee member", mandate="Run the union between congresses.", seats=3
    )
    now = timezone.now()
    for days_ago, member in ((340, world.ben), (339, world.cam), (338, world.dana)):
        begin_term(
            office, member, source=TermSource.ELECTION, starts_at=now - timedelta(days=days_ago)
        )
    for name in ("Fay", "Gus", "Hal"):
        Member.objects.create(
            organisation=world.org, name=name, home_branch=world.root, standing="good"
        )
    return office


def _people(world, *names):
    return [Member.objects.get(organisation=world.org, name=n) for n in names]


def _run(election, candidates, voters):
    """Three stand, six vote (each ranks all three, in turn), and the clock moves past the close."""
    ids = [services.nominate(c, election, c).pk for c in candidates]
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING
    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(minutes=1)
    ):
        for i, voter in enumerate(voters):
            turn = i % len(ids)
            services.cast_ballot(voter, election, ids[turn:] + ids[:turn])
    return services.advance_all(election.voting_close_at + timedelta(minutes=1))


def _check_takeover(committee, outgoing: dict, elected: set) -> None:
    new = list(Term.objects.filter(office=committee).exclude(pk__in=[t.pk for t in outgoing]))
    assert {t.member for t in new} == elected
    # Each new term starts as an outgoing one ends (none at once), for a full term.
    assert sorted(t.starts_at for t in new) == sorted(t.ends_at for t in outgoing)
    assert all(t.ends_at - t.starts_at == timedelta(days=committee.term_days) for t in new)


def test_a_by_rule_election_fills_every_held_seat_as_it_ends(world, committee):
    outgoing = list(Term.objects.filter(office=committee))
    called = [e for e in services.schedule_elections() if e.office == committee]
    assert len(called) == 1 and called[0].seats == 3
    eli, fay = _people(world, "Eli", "Fay")
    voters = [world.ana, world.cam, world.dana, *_people(world, "Fay", "Gus", "Hal")]
    moved = _run(called[0], [world.ben, eli, fay], voters)
    election = called[0]
    election.refresh_from_db()
    assert moved == 1 and election.status == Status.CERTIFIED
    _check_takeover(committee, outgoing, {world.ben, eli, fay})
    # Ben, re-elected, continues in his own seat; the others take the seats ending soonest.
    ben_old = next(t for t in outgoing if t.member == world.ben)
    assert committee.terms.get(member=world.ben, starts_at__gt=ben_old.starts_at).starts_at == (
        ben_old.ends_at
    )
    # The seats are covered: the clock calls nothing more for the office.
    later = election.voting_close_at + timedelta(days=1)
    assert committee not in [e.office for e in services.schedule_elections(later)]


def test_a_returning_officer_certifies_a_full_committee_takeover(world, committee):
    outgoing = list(Term.objects.filter(office=committee))
    election = services.call_election(world.ana, office=committee, returning_officer=world.ana)
    eli, fay, gus = _people(world, "Eli", "Fay", "Gus")
    voters = [world.ben, world.cam, world.dana, *_people(world, "Gus", "Hal"), world.eli]
    _run(election, [eli, fay, gus], voters)
    election.refresh_from_db()
    assert election.status == Status.COUNTED
    client = Client()
    client.force_login(world.users["ana"])
    response = client.post(f"/api/v1/organisations/test-union/elections/{election.pk}/certify")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.CERTIFIED
    _check_takeover(committee, outgoing, {eli, fay, gus})


def test_a_vacant_seat_is_filled_at_once_and_a_held_one_when_it_ends(world, committee):
    dana_term = Term.objects.get(office=committee, member=world.dana)
    dana_term.ended_at, dana_term.end_reason = timezone.now(), "resigned"
    dana_term.save()
    cam_term = Term.objects.get(office=committee, member=world.cam)
    election = services.call_election(world.ana, office=committee, seats=2)
    eli, fay = _people(world, "Eli", "Fay")
    before = timezone.now()
    _run(election, [eli, fay], [world.ana])
    new = {t.member: t for t in Term.objects.filter(office=committee, member__in=[eli, fay])}
    starts = sorted(t.starts_at for t in new.values())
    assert starts[0] >= before and starts[0] < cam_term.ends_at  # the vacant seat: at once
    assert starts[1] == Term.objects.get(member=world.ben, office=committee).ends_at


def test_an_election_fills_no_more_seats_than_the_office_has(world, committee):
    with pytest.raises(RuleViolation, match="This office has 3 seats") as refused:
        services.call_election(world.ana, office=committee, seats=4)
    assert refused.value.field == "seats"


def test_no_term_may_double_book_a_seat_taken_over_later(world, committee):
    ends = sorted(Term.objects.filter(office=committee).values_list("ends_at", flat=True))
    eli, fay, gus, hal = _people(world, "Eli", "Fay", "Gus", "Hal")
    for member, start in ((eli, ends[0]), (fay, ends[1]), (gus, ends[2])):
        begin_term(committee, member, source=TermSource.ELECTION, starts_at=start)
    with pytest.raises(RuleViolation, match="Every seat of this office is filled"):
        begin_term(committee, hal, source=TermSource.ELECTION, starts_at=ends[0])
    # Dana resigns: her seat is free now, but only until Gus, already elected, takes it:
    # a full term from now would hold a fourth seat from then on.
    Term.objects.filter(office=committee, member=world.dana).update(ended_at=timezone.now())
    with pytest.raises(RuleViolation, match="Every seat of this office is filled"):
        begin_term(committee, hal, source=TermSource.ELECTION)
    assert not Term.objects.filter(member=hal).exists()
