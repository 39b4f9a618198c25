"""The spread of education: per branch, gaps, over time, small counts suppressed."""

from django.utils import timezone

from conftest import make_user
from tribune.education import rules, services, spread
from tribune.education.models import Completion, Course
from tribune.education.tests.conftest import dates, hold
from tribune.members.models import Member, Standing
from tribune.members.services import admit_member, apply_for_membership


def _members(world, branch, count: int, prefix: str):
    made = []
    for i in range(count):
        applicant = apply_for_membership(
            world.org,
            user=make_user(f"{prefix}{i}"),
            name=f"{prefix}{i}",
            email=f"{prefix}{i}@test.org",
            branch=branch,
        )
        admit_member(world.ana, applicant)
        applicant.refresh_from_db()
        made.append(applicant)
    return made


def test_small_counts_are_suppressed_and_gaps_shown(world, course, planner):
    south = _members(world, world.south, 6, "s")
    circle = services.open_circle(planner, course, name="C", dates=dates(1), place="Hall")
    for member in south:
        services.join_circle(member, circle)
    for member in south[:5]:
        hold(circle, planner, member, 3)
    services.join_circle(world.ben, circle)
    hold(circle, planner, world.ben, 3)
    board = spread.dashboard(world.org)
    rows = {r["branch"].pk: r for r in board["branches"]}
    south_row, millbrook = rows[world.south.pk], rows[world.millbrook.pk]
    assert south_row["members"] == 6
    assert south_row["courses"][0]["completed"] == 5
    assert south_row["courses"][0]["share"] == 83
    assert south_row["facilitators"] == 5
    # Millbrook: ben and cam (2 members), ben completed, cam (the planner) founded: suppressed.
    assert millbrook["members"] is None
    assert millbrook["courses"][0]["completed"] is None
    assert millbrook["courses"][0]["share"] is None
    assert millbrook["facilitators"] is None and not millbrook["no_facilitator"]
    # The root (ana, dana, eli) has members and no one who can teach: the gap.
    assert world.root in board["gaps"] and world.south not in board["gaps"]
    # Over time: six completions this month (cumulative), shown; one is hidden.
    month = timezone.now().strftime("%Y-%m")
    assert board["over_time"][0]["points"] == [{"month": month, "completed": 6}]
    layout = spread.map_layout(board["branches"])
    tones = {b["row"]["branch"].pk: b["tone"] for b in layout["boxes"]}
    assert tones[world.root.pk] == "gap" and tones[world.south.pk] == "teach"
    assert tones[world.north.pk] == "empty"


def test_the_api_suppresses_small_counts_too(client, world, course, planner):
    from tribune.accounts.models import ApiToken

    circle = services.open_circle(planner, course, name="C", dates=dates(1), place="Hall")
    services.join_circle(world.ben, circle)
    hold(circle, planner, world.ben, 3)
    assert Completion.objects.count() == 1
    _t, secret = ApiToken.issue(world.users["ana"], "script")
    answer = client.get(
        "/api/v1/organisations/test-union/education/spread", HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    millbrook = next(b for b in answer["branches"] if b["branch"] == world.millbrook.slug)
    assert millbrook["members"] is None and millbrook["courses"][0]["completed"] is None
    assert answer["over_time"][0]["points"][0]["completed"] is None
    assert world.root.slug in answer["no_facilitator"]
    assert client.get("/api/v1/organisations/test-union/education/spread").status_code == 401


def test_who_may_teach_is_counted_once_and_only_in_good_standing(world, course, planner):
    """The dashboard's counts (raw SQL since the benchmark) agree with the rule, member by member.

    South: eight members; six complete the core course, one of whom also wrote a
    second course (counted once) and one of whom lapses (counted nowhere); one who
    never studied wrote the second course (may teach); one did neither.
    """
    south = _members(world, world.south, 8, "t")
    circle = services.open_circle(planner, course, name="C", dates=dates(1), place="Hall")
    for member in south[:6]:
        services.join_circle(member, circle)
        hold(circle, planner, member, 3)
    services.create_course(
        planner,
        world.org,
        title="Writing leaflets",
        sessions=[{"title": "Drafting"}],
        founders=[south[0].pk, south[6].pk],
    )
    Member.objects.filter(pk=south[5].pk).update(standing=Standing.LAPSED)
    row = next(r for r in spread.dashboard(world.org)["branches"] if r["branch"] == world.south)
    good = Member.objects.filter(home_branch=world.south, standing=Standing.GOOD)
    courses = list(Course.objects.filter(organisation=world.org))
    may_teach = [m for m in good if any(rules.may_facilitate(m, c) for c in courses)]
    assert row["members"] == len(good) == 7
    assert row["facilitators"] == len(may_teach) == 6  # five graduates and a writer
    assert row["courses"][0]["completed"] == 5 and row["courses"][0]["share"] == 71


def test_the_dashboard_follows_completions_and_writers_as_they_change(world, course, planner):
    """The counts are kept between views (``lib.figures``) and counted again on each change."""
    south = _members(world, world.south, 6, "f")

    def south_row():
        return next(
            r for r in spread.dashboard(world.org)["branches"] if r["branch"] == world.south
        )

    assert south_row()["courses"][0]["completed"] == 0
    circle = services.open_circle(planner, course, name="C", dates=dates(1), place="Hall")
    for member in south[:5]:
        services.join_circle(member, circle)
        hold(circle, planner, member, 3)
    assert south_row()["courses"][0]["completed"] == 5 and south_row()["facilitators"] == 5
    hold(circle, planner, south[0], 3, state="excused")  # a corrected register takes one back
    assert south_row()["courses"][0]["completed"] is None  # four: fewer than 5
    services.create_course(
        planner, world.org, title="Rent strikes", sessions=[{"title": "One"}],
        founders=[south[5].pk, south[0].pk],
    )  # fmt: skip
    assert south_row()["facilitators"] == 6  # four graduates and two writers


def test_a_level_of_many_branches_is_drawn_as_tiles_that_fit_a_phone():
    from types import SimpleNamespace

    def row(pk, parent, members=10, teachers=0):
        branch = SimpleNamespace(pk=pk, parent_id=parent, name=f"B{pk}")
        return {"branch": branch, "no_facilitator": members > 0 and teachers == 0,
                "has_members": members > 0, "facilitators": teachers}  # fmt: skip

    rows = [row(1, None, teachers=6), *(row(p, 1) for p in (2, 3, 4))]
    rows += [row(10 + i, 2 + i % 3, members=i % 2, teachers=5 * (i % 4 == 1)) for i in range(480)]
    layout = spread.map_layout(rows, width=360)
    named = [b for b in layout["boxes"] if b["named"]]
    tiles = [b for b in layout["boxes"] if not b["named"]]
    assert len(named) == 4 and len(tiles) == 480 and layout["tiled"]
    assert {b["tone"] for b in tiles} == {"gap", "teach", "empty"}
    for b in layout["boxes"]:
        assert 0 <= b["x"] and b["x"] + b["w"] <= 360 and b["y"] + b["h"] <= layout["height"]
    corners = {(b["x"], b["y"]) for b in layout["boxes"]}
    assert len(corners) == len(layout["boxes"])  # nothing drawn over another
    assert min(b["y"] for b in tiles) > max(b["y"] for b in named)
    assert min(b["w"] for b in tiles) >= 10  # big enough to see and to point at


def test_the_table_of_branches_is_paged(world, as_, course):
    from tribune.organisations.services import create_branch

    for i in range(55):
        create_branch(world.ana, world.root, name=f"Street {i:02d}", level="local")
    client = as_("ana")
    first = client.get("/o/test-union/education/spread/").content.decode()
    second = client.get("/o/test-union/education/spread/?page=2").content.decode()
    assert "Street 00" in first and "Page 1 of 2" in first
    assert "<td>Street 54</td>" not in first and "<td>Street 54</td>" in second
    assert first.count("<rect") == second.count("<rect")  # the picture draws every branch
