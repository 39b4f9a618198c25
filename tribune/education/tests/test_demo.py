"""The demo's education, built through the services: a core course, two circles, a lineage."""

from tribune.education import spread
from tribune.education.models import Circle, Completion, Course, Facilitator
from tribune.organisations.demo import SLUG, create_demo, remove_demo
from tribune.organisations.models import Organisation


def test_the_demo_runs_a_core_course_in_two_circles_and_is_wiped_whole(db):
    org = create_demo(members=80)
    course = Course.objects.get(organisation=org, title="Organising 101")
    assert course.core and course.sessions.count() == 4
    first = Circle.objects.get(name="Riverside study circle")
    second = Circle.objects.get(name="Online circle for every branch")
    assert Completion.objects.filter(circle=first).count() == 8  # two came to half only
    ben = second.facilitators.get().member
    assert ben.email == "ben@example.org"
    assert Facilitator.objects.get(circle=second).graduated_from == first
    board = spread.dashboard(org)
    riverside = next(r for r in board["branches"] if r["branch"].slug == "riverside")
    assert riverside["courses"][0]["completed"] == 8 and riverside["facilitators"] >= 5
    assert board["gaps"]  # branches with members and no one who can teach yet
    remove_demo()
    assert not Organisation.objects.filter(slug=SLUG).exists()
    assert not Course.objects.exists() and not Completion.objects.exists()
