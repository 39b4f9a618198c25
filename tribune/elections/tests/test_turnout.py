"""Turnout over a vote's days: counts kept by the clock, never a time beside a ballot or voter."""

from datetime import UTC, timedelta
from fractions import Fraction
from unittest import mock

from django.db import models
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.elections import services, turnout
from tribune.elections.models import Election, Status, TurnoutDay
from tribune.members.services import admit_member, apply_for_membership


def _voters(world, n: int) -> list:
    voters = []
    for i in range(n):
        m = apply_for_membership(
            world.org, user=None, name=f"Voter {i}", email=f"t{i}@test.org", branch=world.north
        )
        admit_member(world.ana, m)
        voters.append(m)
    return voters


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _midnight_after(moment, days: int = 1):
    local = timezone.localtime(moment, UTC)
    return local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days)


def _open_election(world, office, voters):
    election = services.call_election(world.ana, office=office)
    cands = [services.nominate(m, election, m) for m in (world.ben, world.cam)]
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING
    return election, cands


def test_the_clock_keeps_each_ended_day_and_the_count_keeps_the_last(world, office):
    voters = _voters(world, 6)
    election, cands = _open_election(world, office, voters)
    opened = election.voting_open_at
    first_midnight = _midnight_after(opened)
    with _at(opened + timedelta(seconds=1)):
        for v in voters[:2]:
            services.cast_ballot(v, election, [cands[0].pk])
    assert not TurnoutDay.objects.exists()  # a cast writes no figure, only the clock does
    # The first tick of the next day keeps yesterday's figure; later ticks change nothing.
    services.advance(election, first_midnight + timedelta(minutes=1))
    with _at(first_midnight + timedelta(minutes=5)):
        services.cast_ballot(voters[2], election, [cands[1].pk])
    services.advance(election, first_midnight + timedelta(minutes=6))
    assert list(TurnoutDay.objects.values_list("day", "voted")) == [(opened.date(), 2)]
    # Day two's first tick comes two hours late: the day stays unrecorded rather than
    # being credited with day three's ballots.
    with _at(first_midnight + timedelta(days=1, hours=1, minutes=30)):
        services.cast_ballot(voters[3], election, [cands[1].pk])
    services.advance(election, first_midnight + timedelta(days=1, hours=2))
    assert TurnoutDay.objects.count() == 1
    with _at(election.voting_close_at - timedelta(seconds=1)):
        services.cast_ballot(voters[4], election, [cands[0].pk])
    election = services.advance(election, election.voting_close_at)
    assert election.status in (Status.COUNTED, Status.CERTIFIED)
    last = timezone.localtime(election.voting_close_at - timedelta(microseconds=1)).date()
    assert TurnoutDay.objects.get(day=last).voted == 5 == election.turnout
    rows = turnout.days(election)
    assert rows[0] == {
        "day": opened.date(),
        "voted": 2,
        "new": 2,
        "share": Fraction(2, election.electorate_size),  # exact until it is drawn
    }
    assert rows[1]["voted"] is None and rows[1]["new"] is None  # the late day: not told
    assert rows[-1]["voted"] == 5 and rows[-1]["new"] == 3  # since the last figure known
    assert [r["day"] for r in rows] == [
        opened.date() + timedelta(days=i) for i in range((last - opened.date()).days + 1)
    ]


def test_the_chart_is_a_share_of_the_roll_with_its_figures(world, office):
    voters = _voters(world, 3)
    election, cands = _open_election(world, office, voters)
    with _at(election.voting_open_at + timedelta(seconds=1)):
        services.cast_ballot(voters[0], election, [cands[0].pk])
    services.advance(election, _midnight_after(election.voting_open_at) + timedelta(minutes=1))
    with _at(_midnight_after(election.voting_open_at) + timedelta(hours=3)):
        chart = turnout.chart(election)
    size = election.electorate_size
    assert chart["scale"] == 100  # a share: the scale is always 0 to 100%
    assert chart["table"][0]["cells"] == [f"{round(100 / size)}% (1, +1)"]
    # While voting is open, today's figure is not told until the day has ended.
    with _at(_midnight_after(election.voting_open_at) + timedelta(hours=3)):
        assert len(turnout.days(election)) == 1


def test_a_vote_in_the_hall_has_no_daily_turnout(world, office):
    election = services.call_election(world.ana, office=office)
    Election.objects.filter(pk=election.pk).update(kind="assembly", status=Status.VOTING)
    election.refresh_from_db()
    turnout.note(election, _midnight_after(election.voting_open_at))
    assert not TurnoutDay.objects.exists() and turnout.chart(election) is None


def test_a_day_is_a_count_with_nothing_of_a_voter_or_a_ballot():
    fields = {f.name: f for f in TurnoutDay._meta.get_fields()}
    assert set(fields) == {"id", "election", "day", "voted"}
    assert not any(isinstance(f, models.DateTimeField) for f in fields.values())
    related = {f.related_model for f in fields.values() if f.is_relation}
    assert related == {Election}


def test_the_page_shows_counts_only_and_the_audit_log_knows_nothing_of_it(client, world, office):
    voters = _voters(world, 5)
    election, cands = _open_election(world, office, voters)
    before = AuditEntry.objects.count()
    with _at(election.voting_open_at + timedelta(seconds=1)):
        for v in voters:
            services.cast_ballot(v, election, [cands[0].pk])
    services.advance(election, _midnight_after(election.voting_open_at) + timedelta(minutes=1))
    assert AuditEntry.objects.count() == before  # neither casts nor the daily figure
    election = services.advance(election, election.voting_close_at)
    page = client.get(election.get_absolute_url()).content.decode()
    section = page[page.index('id="turnout"') : page.index('id="result"')]
    assert "Turnout, day by day" in section and "<table" in section and 'role="img"' in section
    assert election.voting_open_at.date().isoformat() in section
    for v in voters:
        assert v.name not in section


def test_the_api_gives_the_days_as_counts(client, world, office):
    voters = _voters(world, 2)
    election, cands = _open_election(world, office, voters)
    with _at(election.voting_open_at + timedelta(seconds=1)):
        services.cast_ballot(voters[0], election, [cands[0].pk])
    election = services.advance(election, election.voting_close_at)
    url = f"/api/v1/organisations/{world.org.slug}/elections/{election.pk}"
    days = client.get(url).json()["turnout_by_day"]
    assert days[-1] == {"day": days[-1]["day"], "voted": 1, "new": 1}
    assert all(set(d) == {"day", "voted", "new"} for d in days)  # counts, no one's time
