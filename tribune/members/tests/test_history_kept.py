"""Finished months kept once (``MonthlyStanding``): the record's figures, in fewer queries."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tribune.education.spread import suppress
from tribune.members import history, importing
from tribune.members.models import Member, MonthlyStanding, Standing, StandingChange
from tribune.members.services import (
    admit_member,
    apply_for_membership,
    record_lapse,
    record_renewal,
    resign,
    update_profile,
)
from tribune.members.tasks import membership_months_clock


def _months_back(n: int) -> list[str]:
    month = timezone.now().date().isoformat()[:7]
    months = [month]
    for _ in range(n - 1):
        months.insert(0, history._previous(months[0]))
    return months


def _moment(rng: random.Random, month: str) -> datetime:
    """A moment in ``month``, never in the future (this month's are in the last hour)."""
    now = timezone.now()
    if month == now.isoformat()[:7]:
        return max(now - timedelta(minutes=rng.randrange(1, 60)), history._start(month))
    return datetime(int(month[:4]), int(month[5:7]), rng.randrange(1, 29), 12, tzinfo=UTC)


def _random_history(world, rng: random.Random, members: int = 30, tag: str = "") -> None:
    """Members joining over 30 months (admitted or imported), some lapsing, renewing, resigning."""
    months = _months_back(30)
    for i in range(members):
        branch = rng.choice([world.north, world.south])
        joined = rng.randrange(len(months))
        if rng.random() < 0.4:  # imported: good from admission, no change on record
            m = Member.objects.create(
                organisation=world.org,
                name=f"{tag}I{i}",
                email=f"{tag}i{i}@h.org",
                home_branch=branch,
                standing=Standing.GOOD,
                admitted_at=_moment(rng, months[joined]),
            )
        else:
            m = apply_for_membership(
                world.org, user=None, name=f"{tag}A{i}", email=f"{tag}a{i}@h.org", branch=branch
            )
            at = _moment(rng, months[joined])
            StandingChange.objects.filter(pk=admit_member(world.ana, m).pk).update(at=at)
            Member.objects.filter(pk=m.pk).update(admitted_at=at)
            m.refresh_from_db()
        step = joined
        for _ in range(rng.randrange(4)):
            step += 1 + rng.randrange(6)
            if step >= len(months) or m.standing == Standing.RESIGNED:
                break
            if m.standing == Standing.LAPSED:
                change = record_renewal(world.ana, m)
            elif rng.random() < 0.7:
                change = record_lapse(world.ana, m, "Dues unpaid.")
            else:
                change = resign(m)
            StandingChange.objects.filter(pk=change.pk).update(at=_moment(rng, months[step]))
            m.refresh_from_db()


def _told(world, branch) -> dict[str, int]:
    """The raw figure at each month's end, read member by member from their record."""
    members = Member.objects.filter(organisation=world.org)
    if branch is not None:
        members = members.filter(home_branch=branch)
    good = {}
    for month in _months_back(history.MONTHS):
        end = history._start(history._next(month))
        n = 0
        for m in members:
            changes = [c for c in m.standing_changes.all() if c.at < end]
            since = m.admitted_at or m.applied_at
            if changes:
                n += max(changes, key=lambda c: (c.at, c.pk)).to_standing == Standing.GOOD
            elif since < end:
                first = m.standing_changes.order_by("at", "pk").first()
                n += (first.from_standing if first else m.standing) == Standing.GOOD
        good[month] = n
    return good


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kept_figures_equal_the_record_over_random_histories(world, seed):
    _random_history(world, random.Random(seed))
    for branch in (None, world.north, world.south):
        truth = _told(world, branch)
        first = history.by_month(world.org, branch)
        kept = dict(
            MonthlyStanding.objects.filter(organisation=world.org, branch=branch).values_list(
                "month", "members"
            )
        )
        assert len(kept) == history.MONTHS - 1  # every finished month, this one not
        assert {m: n or 0 for m, n in kept.items()} == {m: truth[m] for m in kept}
        again = history.by_month(world.org, branch)  # finished months from the kept ones
        expected = [{"month": m, "members": suppress(n)} for m, n in truth.items()]
        assert first == again == expected[-len(first) :], (seed, branch)
        assert [m for m, n in kept.items() if n is None] == [
            m for m in kept if m < first[0]["month"]
        ]


def test_this_month_is_last_months_figure_plus_its_changes(world):
    _random_history(world, random.Random(7))
    before = history.by_month(world.org, world.north)
    for i in range(6):
        m = apply_for_membership(
            world.org, user=None, name=f"New{i}", email=f"new{i}@h.org", branch=world.north
        )
        admit_member(world.ana, m)
    Member.objects.create(
        organisation=world.org,
        name="Imported now",
        email="now@h.org",
        home_branch=world.north,
        standing=Standing.GOOD,
        admitted_at=timezone.now(),
    )
    after = history.by_month(world.org, world.north)
    assert after[:-1] == before[:-1]
    assert after[-1]["members"] == _told(world, world.north)[after[-1]["month"]]


def test_a_kept_history_takes_three_small_queries_whatever_the_membership(world):
    now = timezone.now().date().isoformat()[:7]
    _random_history(world, random.Random(4))
    history.by_month(world.org)
    with CaptureQueriesContext(connection) as queries:
        history._by_month(world.org, None, now)
    assert len(queries) == 3  # the kept months, this month's changes, this month's imports
    _random_history(world, random.Random(5), members=60, tag="more")
    with CaptureQueriesContext(connection) as queries:
        history._by_month(world.org, None, now)
    assert len(queries) == 3


def test_the_chart_is_counted_once_until_a_member_changes(world):
    _random_history(world, random.Random(4))
    first = history.by_month(world.org, world.north)
    with CaptureQueriesContext(connection) as queries:
        assert history.by_month(world.org, world.north) == first
    assert not any("members_member" in q["sql"] for q in queries.captured_queries)
    m = apply_for_membership(
        world.org, user=None, name="Late", email="late@h.org", branch=world.north
    )
    admit_member(world.ana, m)
    after = history.by_month(world.org, world.north)
    assert after[-1]["members"] == _told(world, world.north)[after[-1]["month"]]
    assert after[-1]["members"] is not None and after[-1] != first[-1]


def test_a_move_between_branches_redraws_both_branches(world):
    _random_history(world, random.Random(6))
    stayer = Member.objects.filter(home_branch=world.north, standing=Standing.GOOD).first()
    history.by_month(world.org)
    history.by_month(world.org, world.north)
    history.by_month(world.org, world.south)
    update_profile(stayer, name=stayer.name, phone="", address="", branch=world.south)
    kept = MonthlyStanding.objects.filter(organisation=world.org)
    assert not kept.filter(branch__isnull=False).exists()  # both branches forgotten
    assert kept.filter(branch__isnull=True).count() == history.MONTHS - 1  # the whole stands
    for branch in (world.north, world.south):
        truth = _told(world, branch)
        rows = history.by_month(world.org, branch)
        assert rows == [{"month": m, "members": suppress(truth[m])} for m in truth][-len(rows) :]


def test_a_profile_update_without_a_move_keeps_the_months(world):
    _random_history(world, random.Random(8))
    history.by_month(world.org, world.north)
    m = Member.objects.filter(home_branch=world.north).first()
    update_profile(m, name="Renamed", phone="", address="", branch=world.north)
    assert MonthlyStanding.objects.filter(branch=world.north).count() == history.MONTHS - 1


def test_a_back_dated_change_is_redrawn_after_forget_from_its_month(world):
    _random_history(world, random.Random(9))
    history.by_month(world.org)
    months = _months_back(history.MONTHS)
    before = history._start(months[-4])
    m = next(  # good since before that month, so that the lapse fits their record
        m
        for m in Member.objects.filter(standing=Standing.GOOD, admitted_at__lt=before)
        if not m.standing_changes.filter(at__gte=before).exists()
    )
    change = record_lapse(world.ana, m, "Dues unpaid.")
    StandingChange.objects.filter(pk=change.pk).update(at=_moment(random.Random(0), months[-4]))
    history.forget(world.org, since=months[-4])
    assert set(MonthlyStanding.objects.values_list("month", flat=True)) == set(months[:-4])
    truth = _told(world, None)
    rows = history.by_month(world.org)
    assert rows == [{"month": k, "members": suppress(n)} for k, n in truth.items()][-len(rows) :]


def test_months_not_yet_ended_are_never_kept_and_keeping_twice_changes_nothing(world):
    _random_history(world, random.Random(10))
    later = (timezone.now() + timedelta(days=400)).date()
    history.by_month(world.org, today=later)
    this_month = timezone.now().date().isoformat()[:7]
    assert not MonthlyStanding.objects.filter(month__gte=this_month).exists()
    kept = list(MonthlyStanding.objects.values_list("month", "members").order_by("month"))
    # Two readers at once: the second's figures are the same and are ignored.
    history._keep(world.org, None, {m: n for m, n in kept})
    assert list(MonthlyStanding.objects.values_list("month", "members").order_by("month")) == kept


def test_the_clock_keeps_every_organisations_and_branchs_finished_months(world):
    _random_history(world, random.Random(11))
    histories = membership_months_clock.call_local()
    scopes = [None, *world.org.branches.all()]
    assert histories >= len(scopes)
    for branch in scopes:
        kept = MonthlyStanding.objects.filter(organisation=world.org, branch=branch)
        assert kept.count() == history.MONTHS - 1


def test_an_import_that_moves_a_member_redraws_both_branches(world):
    _random_history(world, random.Random(12))
    moved = Member.objects.filter(home_branch=world.north).exclude(email="").first()
    for branch in (world.north, world.south):
        history.by_month(world.org, branch)
    csv = f"name,email,branch\n{moved.name},{moved.email},{world.south.slug}\n"
    job = importing.check_import(world.dana, world.org, csv, "move.csv")
    importing.run_all(importing.confirm_import(world.dana, job))
    assert Member.objects.get(pk=moved.pk).home_branch == world.south
    assert not MonthlyStanding.objects.filter(branch__isnull=False).exists()
    truth = _told(world, world.south)
    rows = history.by_month(world.org, world.south)
    assert rows == [{"month": m, "members": suppress(truth[m])} for m in truth][-len(rows) :]


def test_the_organisation_and_branch_pages_stay_under_thirty_queries(client, world):
    _random_history(world, random.Random(13))
    for url in (world.org.get_absolute_url(), world.south.get_absolute_url()):
        client.get(url)  # the month's first read keeps the finished months
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and "Membership over time" in response.text
        assert len(queries) < 30, (url, len(queries))  # issue 12's page budget


def test_a_month_is_kept_only_once_over_in_utc_and_in_the_servers_zone():
    with timezone.override("America/New_York"):  # PostgreSQL's months end five hours later
        assert history._ended("2026-01") == datetime(2026, 2, 1, 5, tzinfo=UTC)
    with timezone.override("Europe/Berlin"):  # theirs end an hour earlier: UTC's end counts
        assert history._ended("2026-12") == datetime(2027, 1, 1, tzinfo=UTC)
