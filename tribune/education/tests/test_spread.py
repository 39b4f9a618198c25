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
