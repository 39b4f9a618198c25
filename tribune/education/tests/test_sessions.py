"""Moving and cancelling a circle's session (issue 14): the calendar event is the session.

* the session's dates are its event's, so a move from the calendar's pages and a
  move from the circle's are the same move;
* a move or a cancellation goes through the struggles app's event change:
  SEQUENCE raised, everyone signed up told, STATUS:CANCELLED in the feeds;
* a cancelled session is no longer scheduled: completion counts the sessions left;
* only the circle's facilitators, or a ``plan_courses`` mandate, may do it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.accounts.models import ApiToken
from tribune.audit.models import AuditEntry
from tribune.education import services
from tribune.education.models import Completion
from tribune.education.tests.conftest import dates, hold
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.struggles.calendar import feed
from tribune.struggles.models import Event, Notice
from tribune.struggles.services.events import cancel_event, change_event, reschedule_for
from tribune.struggles.tests.conftest import give_mandate

API = "/api/v1/organisations/test-union/education"
HOUR = timedelta(hours=1)


@pytest.fixture
def founded(world, planner, reading):
    """A course Dana co-wrote (so she facilitates without any mandate), and her circle of it."""
    course = services.create_course(
        planner,
        world.org,
        title="Tenant organising",
        completion_percent=75,
        sessions=[{"title": f"Part {n}"} for n in range(1, 5)],
        founders=[world.dana.pk],
    )
    circle = services.open_circle(
        world.dana, course, name="Dana's readers", dates=dates(-48), place="Library"
    )
    services.join_circle(world.ben, circle)
    return circle


def _sessions(circle):
    return list(circle.sessions.select_related("event").order_by("course_session__number"))


def test_a_facilitator_moves_a_session_and_the_calendar_follows(world, founded):
    first, second = _sessions(founded)[:2]
    before = first.event.sequence
    starts = first.starts_at + timedelta(hours=3)
    services.move_session(world.dana, first, starts_at=starts, ends_at=starts + timedelta(hours=2))
    event = Event.objects.get(pk=first.event_id)
    assert (event.starts_at, event.sequence) == (starts, before + 1)
    first.refresh_from_db()
    assert first.starts_at == starts  # no copy of the date to disagree
    # Ben joined the circle, so he is signed up for its sessions and is told.
    assert Notice.objects.filter(
        member=world.ben, key=f"event:{event.pk}:changed:{event.sequence}"
    ).exists()
    assert f"SEQUENCE:{event.sequence}" in feed([event], "test").decode()
    entry = AuditEntry.objects.get(action="education.session_moved")
    assert entry.actor_id == world.dana.pk and entry.target.startswith("circlesession:")
    assert set(entry.data) == {"starts_at", "ends_at"}  # no participant named


def test_only_facilitators_or_the_planning_mandate_may_move_or_cancel(world, founded, planner):
    first = _sessions(founded)[0]
    later = first.starts_at + timedelta(hours=1)
    for outsider in (world.ben, world.ana):  # a participant; an officer without plan_courses
        with pytest.raises(NotPermitted):
            services.move_session(outsider, first, starts_at=later, ends_at=later + timedelta(1))
        with pytest.raises(NotPermitted):
            services.cancel_session(outsider, first)
    assert Event.objects.get(pk=first.event_id).sequence == first.event.sequence
    # Cam facilitates nothing here but holds plan_courses: the act is logged under the term.
    services.cancel_session(planner, first, reason="The library is closed.")
    entry = AuditEntry.objects.get(action="education.session_cancelled")
    assert entry.term_id is not None


def test_bad_dates_are_refused_with_the_field(world, founded):
    first, second, third, _ = _sessions(founded)
    now = timezone.now()
    cases = [
        ("tomorrow", "2031-01-01T10:00", "starts_at"),  # not a date
        (now - timedelta(hours=1), now + timedelta(hours=1), "starts_at"),  # in the past
        (first.starts_at, first.starts_at - timedelta(hours=1), "ends_at"),  # ends before
        (third.starts_at + timedelta(days=1), third.ends_at + timedelta(days=1), "starts_at"),
    ]
    for starts, ends, field in cases:
        with pytest.raises(RuleViolation) as refused:
            services.move_session(world.dana, second, starts_at=starts, ends_at=ends)
        assert refused.value.field == field, (starts, ends)
    assert Event.objects.get(pk=second.event_id).starts_at == second.starts_at


def test_a_session_that_began_cannot_be_moved_or_cancelled(world, founded):
    first = _sessions(founded)[0]
    Event.objects.filter(pk=first.event_id).update(starts_at=timezone.now() - timedelta(minutes=5))
    first.refresh_from_db()
    with pytest.raises(RuleViolation) as refused:
        services.cancel_session(world.dana, first)
    assert refused.value.field == "session"


def test_a_cancelled_session_no_longer_counts_as_scheduled(world, planner, reading):
    course = services.create_course(
        planner,
        world.org,
        title="Ten sessions",
        completion_percent=100,
        sessions=[{"title": f"Part {n}"} for n in range(1, 11)],
    )
    circle = services.open_circle(
        planner, course, name="Ten", dates=dates(1, count=10, every_days=2), place="Hall"
    )
    services.join_circle(world.ben, circle)
    hold(circle, planner, world.ben, 9)
    # 10 scheduled, 9 attended: not complete at 100 %.
    assert not Completion.objects.filter(member=world.ben).exists()
    last = _sessions(circle)[-1]
    services.cancel_session(planner, last, reason="Snow.")
    # 10 scheduled, 1 cancelled, 9 attended: complete.
    assert Completion.objects.get(member=world.ben).circle == circle
    event = Event.objects.get(pk=last.event_id)
    assert "STATUS:CANCELLED" in feed([event], "test").decode()
    assert Notice.objects.filter(member=world.ben, key=f"event:{event.pk}:cancelled").exists()
    last.refresh_from_db()
    with pytest.raises(RuleViolation):
        services.record_attendance(planner, last, world.ben.pk, "attended")
    with pytest.raises(RuleViolation):
        services.move_session(
            planner, last, starts_at=last.starts_at, ends_at=last.ends_at + timedelta(hours=1)
        )


def test_the_calendar_pages_move_and_cancel_the_same_session(world, founded):
    """One source of truth: a move or cancellation by those who run struggles is the circle's."""
    organiser = world.ana
    give_mandate(world, organiser)
    first, second = _sessions(founded)[:2]
    starts = first.starts_at + timedelta(hours=1)
    change_event(organiser, first.event, starts_at=starts, ends_at=starts + timedelta(hours=2))
    first.refresh_from_db()
    assert first.starts_at == starts
    cancel_event(organiser, second.event, reason="Moved online.")
    second.refresh_from_db()
    assert second.cancelled
    page = services.circle(world.ben, world.org, founded.pk)
    assert [s.cancelled for s in _sessions(page)] == [False, True, False, False]


def test_the_pages_and_the_api(client, world, founded):
    first, second = _sessions(founded)[:2]
    client.force_login(world.users["dana"])
    page = client.get(f"/o/test-union/education/circles/{founded.pk}/")
    assert b"Move the session" in page.content
    starts = (first.starts_at + timedelta(hours=2)).astimezone(timezone.get_current_timezone())
    moved = client.post(
        f"/o/test-union/education/circles/{founded.pk}/sessions/move/",
        {
            "session": first.pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert moved.status_code == 302
    first.refresh_from_db()
    assert first.starts_at == starts.replace(second=0, microsecond=0)
    bad = client.post(
        f"/o/test-union/education/circles/{founded.pk}/sessions/move/",
        {"session": first.pk, "starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T12:00"},
    )
    assert bad.status_code == 400 and b"Choose a time still to come." in bad.content
    client.force_login(world.users["ben"])
    page = client.get(f"/o/test-union/education/circles/{founded.pk}/")
    assert b"Move the session" not in page.content
    refused = client.post(
        f"/o/test-union/education/circles/{founded.pk}/sessions/cancel/", {"session": second.pk}
    )
    assert refused.status_code == 403

    def bearer(short):
        _token, secret = ApiToken.issue(world.users[short], "script")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    url = f"{API}/circles/{founded.pk}/sessions/{second.pk}"
    assert client.post(f"{url}/cancel", {}, "application/json", **bearer("ben")).status_code == 403
    late = client.post(
        f"{url}/move",
        {"starts_at": "2020-01-01T10:00:00+00:00", "ends_at": "2020-01-01T12:00:00+00:00"},
        "application/json",
        **bearer("dana"),
    )
    assert late.status_code == 400 and "starts_at" in late.content.decode()
    done = client.post(f"{url}/cancel", {"reason": "Ill."}, "application/json", **bearer("dana"))
    assert done.status_code == 200
    assert [s["cancelled"] for s in done.json()["sessions"]] == [False, True, False, False]


def test_the_struggles_path_keeps_the_course_order(client, world, founded):
    """The course's order is a rule of the domain: the calendar's service, page and API keep it.

    Those who run struggles may move any event, and a session is an event; moving the
    second session after the third from there is refused as from the circle's own page,
    with the field and the reason, and nothing moves.
    """
    organiser = world.ana
    give_mandate(world, organiser)
    first, second, third, _ = _sessions(founded)
    after_third = third.starts_at + timedelta(days=1)
    reason = "Keep the sessions in the course's order"
    # The service another app moves its events with, and the calendar's own change.
    for move in (
        lambda: reschedule_for(second.event, starts_at=after_third, ends_at=after_third + HOUR),
        lambda: change_event(
            organiser, second.event, starts_at=after_third, ends_at=after_third + HOUR
        ),
    ):
        with pytest.raises(RuleViolation, match=reason) as refused:
            move()
        assert refused.value.field == "starts_at"
    # The calendar's page: a form error, not a 500, and not a redirect.
    client.force_login(world.users["ana"])
    zone = timezone.get_current_timezone()
    local = after_third.astimezone(zone)
    page = client.post(
        f"/o/test-union/events/{second.event_id}/change/",
        {
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + HOUR).strftime("%Y-%m-%dT%H:%M"),
            "time_zone": str(zone),
            "place": "Library",
        },
    )
    assert page.status_code == 400
    assert reason in page.content.decode().replace("&#x27;", "'")
    # The API: 400 with the field and the reason.
    _token, secret = ApiToken.issue(world.users["ana"], "script")
    answer = client.post(
        f"/api/v1/organisations/test-union/events/{second.event_id}/change",
        {"starts_at": after_third.isoformat(), "ends_at": (after_third + HOUR).isoformat()},
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert answer.status_code == 400, answer.content
    [detail] = answer.json()["detail"]
    assert detail["field"] == "starts_at" and reason in detail["reason"]
    event = Event.objects.get(pk=second.event_id)
    assert (event.starts_at, event.sequence) == (second.starts_at, second.event.sequence)
    # A move within the order still goes through from the calendar.
    between = second.starts_at + timedelta(hours=5)
    change_event(organiser, second.event, starts_at=between, ends_at=between + HOUR)
    assert Event.objects.get(pk=second.event_id).starts_at == between
