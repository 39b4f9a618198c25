"""Courses, circles, attendance, completion and lineage (issue 14, point 4)."""

import pytest
from django.db import connection

from tribune.audit.models import AuditEntry
from tribune.education import rules, services
from tribune.education.models import AttendanceState, Completion, Facilitator, Reading
from tribune.education.tests.conftest import dates, hold
from tribune.lib.errors import NotFound, NotPermitted, RuleViolation
from tribune.struggles.models import Event, EventKind


def test_a_course_needs_the_power_and_pins_published_versions(world, planner, reading):
    with pytest.raises(NotPermitted):
        services.create_course(world.ben, world.org, title="X", sessions=[{"title": "One"}])
    from tribune.archive import services as archive

    proposal = archive.propose_document(world.ben, world.org, title="Draft", text="Not yet.")
    with pytest.raises(RuleViolation) as refused:
        services.create_course(
            planner,
            world.org,
            title="X",
            sessions=[{"title": "One", "readings": [[proposal.pk, 1]]}],
        )
    assert refused.value.field == "readings"
    course = services.create_course(
        planner,
        world.org,
        title="Basics",
        sessions=[{"title": "One", "readings": [[reading.document_id, 1]]}],
    )
    # A later version of the document leaves the course's reading where it was.
    archive.propose_version(world.ben, reading.document, title="How we won", text="Changed.")
    assert Reading.objects.get(session__course=course).version == reading
    assert list(course.founders.all()) == [planner]
    assert AuditEntry.objects.filter(action="education.course_created").count() == 1


def test_completion_counts_all_scheduled_sessions(world, course, planner):
    circle = services.open_circle(
        planner, course, name="Millbrook circle", dates=dates(1), place="Hall"
    )
    services.join_circle(world.ben, circle)
    # Two of four held and attended: 50 %, the rule asks 75 % of ALL scheduled (3 of 4).
    hold(circle, planner, world.ben, 2)
    assert not Completion.objects.filter(member=world.ben).exists()
    assert not rules.may_facilitate(world.ben, course)
    hold(circle, planner, world.ben, 3)
    assert Completion.objects.get(member=world.ben).circle == circle
    assert rules.may_facilitate(world.ben, course)
    # A corrected register takes an unused completion back.
    session = circle.sessions.order_by("event__starts_at")[2]
    services.record_attendance(planner, session, world.ben.pk, AttendanceState.EXCUSED)
    assert not Completion.objects.filter(member=world.ben).exists()


def test_a_graduate_may_facilitate_and_the_lineage_is_recorded(world, course, planner):
    first = services.open_circle(planner, course, name="First", dates=dates(1), place="Hall")
    with pytest.raises(NotPermitted):  # nobody appoints: ben has not completed it
        services.open_circle(world.ben, course, name="Ben's", dates=dates(-100), place="Pub")
    with pytest.raises(NotPermitted):
        services.facilitate(world.ben, first)
    services.join_circle(world.ben, first)
    hold(first, planner, world.ben, 3)
    second = services.open_circle(
        world.ben,
        course,
        name="Second",
        dates=dates(-100),
        online=True,
        link_="https://meet.example",
    )
    assert second.online
    assert Facilitator.objects.get(circle=second).graduated_from == first
    assert Facilitator.objects.get(circle=first).graduated_from is None  # a founder
    chain = services.lineage(second)
    assert [c.pk for c in chain[0]["chain"]] == [first.pk]
    # The graduate is offered the circles they may lead, and joins one as a facilitator.
    third = services.open_circle(planner, course, name="Third", dates=dates(-200), place="Hall")
    assert third in services.my_path(world.ben)["open_to_lead"]
    assert services.facilitate(world.ben, third).graduated_from == first


def test_sessions_are_events_of_the_calendar(world, course, planner):
    circle = services.open_circle(planner, course, name="C", dates=dates(-5), place="Hall")
    events = Event.objects.filter(pk__in=circle.sessions.values("event"))
    assert events.count() == 4
    assert {e.kind for e in events} == {EventKind.STUDY}
    assert {e.visibility for e in events} == {"members"}


def test_bad_input_is_refused_and_nothing_is_written(world, course, planner):
    for kwargs, field in (
        ({"dates": dates(1)[:2], "place": "Hall"}, "dates"),
        ({"dates": dates(1), "place": ""}, "place"),
        ({"dates": [["nope", "never"]] * 4, "place": "Hall"}, "dates"),
        ({"dates": list(reversed(dates(1))), "place": "Hall"}, "dates"),
    ):
        with pytest.raises(RuleViolation) as refused:
            services.open_circle(planner, course, name="C", **kwargs)
        assert refused.value.field == field
    assert not course.circles.exists() and not Event.objects.exists()


def test_attendance_is_for_facilitators_and_the_member_only(world, course, planner):
    circle = services.open_circle(planner, course, name="C", dates=dates(1), place="Hall")
    services.join_circle(world.ben, circle)
    with pytest.raises(NotPermitted):
        hold(circle, world.ana, world.ben, 1)  # an officer, not a facilitator
    hold(circle, planner, world.ben, 1)
    assert len(services.attendance_of(world.ben, circle, world.ben.pk)) == 4
    assert len(services.attendance_of(planner, circle, world.ben.pk)) == 4
    for other in (world.ana, world.eli, None):
        with pytest.raises(NotFound):
            services.attendance_of(other, circle, world.ben.pk)
    # The audit log names the facilitator and the session, never the participant.
    entries = AuditEntry.objects.filter(action="education.attendance")
    assert entries.count() == 1
    for entry in entries:
        assert str(world.ben.pk) not in str(entry.data or {})
        assert "Ben" not in str(entry.data or {})
        assert entry.target.startswith("circlesession:") or "member" not in entry.target
    # A future session cannot be marked; a participant excuses themself beforehand.
    future = circle.sessions.order_by("event__starts_at").last()
    with pytest.raises(RuleViolation):
        services.record_attendance(planner, future, world.ben.pk, "attended")
    assert services.excuse_myself(world.ben, future).state == AttendanceState.EXCUSED


def test_others_than_members_are_refused(world, course):
    with pytest.raises(NotPermitted):
        services.courses(None, world.org)
    with pytest.raises(NotPermitted):
        services.course(None, world.org, course.pk)
    assert connection.vendor in {"sqlite", "postgresql"}
