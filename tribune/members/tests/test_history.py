"""Membership over time: members in good standing month by month, small figures suppressed."""

from datetime import date, datetime

from tribune.members import history
from tribune.members.models import Member, Standing, StandingChange
from tribune.members.services import (
    admit_member,
    apply_for_membership,
    record_lapse,
    record_renewal,
    resign,
)


def _in(month: str, day: int = 15) -> datetime:
    return datetime.fromisoformat(f"{month}-{day:02d}T12:00:00+00:00")


def _admitted(world, name: str, branch, month: str) -> Member:
    m = apply_for_membership(
        world.org, user=None, name=name, email=f"{name.lower()}@h.org", branch=branch
    )
    admit_member(world.ana, m)
    StandingChange.objects.filter(member=m).update(at=_in(month))
    m.refresh_from_db()
    return m


def _at(change, month: str) -> None:
    StandingChange.objects.filter(pk=change.pk).update(at=_in(month, 20))


def _story(world) -> list[Member]:
    """South: six admitted in January, one imported in February, then departures."""
    members = [_admitted(world, f"S{i}", world.south, "2026-01") for i in range(6)]
    Member.objects.create(
        organisation=world.org,
        name="Imported",
        email="imp@h.org",
        home_branch=world.south,
        standing=Standing.GOOD,
        admitted_at=_in("2026-02"),
    )
    _at(record_lapse(world.ana, members[0], "Dues unpaid."), "2026-03")
    _at(resign(members[1]), "2026-03")
    _at(resign(members[2]), "2026-04")
    _at(resign(members[3]), "2026-04")
    members[0].refresh_from_db()
    _at(record_renewal(world.ana, members[0]), "2026-05")
    return members


def test_joins_lapses_resignations_and_imports_month_by_month(world):
    _story(world)
    rows = history.by_month(world.org, world.south, today=date(2026, 6, 1))
    assert rows == [
        {"month": "2026-01", "members": 6},
        {"month": "2026-02", "members": 7},  # the import, with no change on record
        {"month": "2026-03", "members": 5},  # one lapsed, one resigned
        {"month": "2026-04", "members": None},  # 3: fewer than 5 is not told
        {"month": "2026-05", "members": None},  # 4, with the renewal
        {"month": "2026-06", "members": None},  # nothing changed, still 4
    ]


def test_an_imported_member_who_later_lapses_counts_from_admission(world):
    m = Member.objects.create(
        organisation=world.org,
        name="Old hand",
        email="old@h.org",
        home_branch=world.north,
        standing=Standing.GOOD,
        admitted_at=_in("2025-11"),
    )
    _at(record_lapse(world.ana, m, "Dues unpaid."), "2026-01")
    for i in range(5):
        _admitted(world, f"N{i}", world.north, "2025-11")
    rows = history.by_month(world.org, world.north, today=date(2026, 1, 31))
    assert [r["members"] for r in rows] == [6, 6, 5]


def test_the_organisation_counts_every_branch_and_only_the_last_months_are_shown(world):
    _story(world)
    whole = history.by_month(world.org)  # the world was founded this month
    assert whole[-1]["members"] == 4 + 5  # South's four, the founders, Ben and Cam
    long_after = history.by_month(world.org, world.south, today=date(2031, 1, 1))
    assert len(long_after) == history.MONTHS and long_after[-1]["month"] == "2031-01"


def test_nothing_to_draw_for_an_empty_branch(world):
    assert history.by_month(world.org, world.south) == []
    assert history.chart(world.org, world.south) is None


def test_the_pages_draw_it_with_its_table_for_anyone(client, world):
    _story(world)
    branch = client.get(world.south.get_absolute_url()).content.decode()
    assert "Membership over time" in branch and 'role="img"' in branch
    table = branch[branch.index('<table class="chart-data">') :]
    table = table[: table.index("</table>")]
    assert "2026-02" in table and "<td>7</td>" in table and "fewer than 5" in table
    assert "S0" not in branch and "Imported" not in branch  # counts, never names
    org = client.get(world.org.get_absolute_url()).content.decode()
    assert "Membership over time" in org and 'id="membership-chart"' in org


def test_the_chart_scales_to_the_largest_figure_and_skips_suppressed_ones(world):
    _story(world)
    chart = history.chart(world.org, world.south)
    line = chart["lines"][0]
    assert chart["scale"] == 7
    # Three figures drawn (January to March); the months with fewer than five are not points.
    assert len(line["points"].split()) == 3
    assert [row["cells"] for row in chart["table"][:3]] == [[6], [7], [5]]
