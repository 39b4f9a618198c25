"""Education pages and API: the same rules as the services; attendance is nobody else's business."""

import pytest

from tribune.accounts.models import ApiToken
from tribune.audit.models import AuditEntry
from tribune.education import services
from tribune.education.models import Circle, Course
from tribune.education.tests.conftest import dates, hold

PAGES = "/o/test-union/education"
API = "/api/v1/organisations/test-union/education"


@pytest.fixture
def bearer(world):
    def issue(short):
        _token, secret = ApiToken.issue(world.users[short], "script")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return issue


@pytest.fixture
def held(world, course, planner):
    """A circle in which Ben attended one session, was excused from another."""
    circle = services.open_circle(
        planner, course, name="Millbrook readers", dates=dates(1), place="Hall"
    )
    services.join_circle(world.ben, circle)
    hold(circle, planner, world.ben, 1)
    hold(circle, planner, world.ben, 2)
    second = circle.sessions.order_by("event__starts_at")[1]
    services.record_attendance(planner, second, world.ben.pk, "excused")
    return circle


def test_pages_for_members_and_a_login_for_the_anonymous(client, world, course, held):
    for path in ("/", "/spread/", f"/courses/{course.pk}/", f"/circles/{held.pk}/"):
        assert client.get(PAGES + path).status_code == 302  # log in first
    client.force_login(world.users["dana"])
    for path in ("/", "/spread/", f"/courses/{course.pk}/", f"/circles/{held.pk}/"):
        page = client.get(PAGES + path)
        assert page.status_code == 200, path
    assert client.get(PAGES + "/courses/new/").status_code == 403
    spread = client.get(PAGES + "/spread/").content.decode()
    assert "<svg" in spread and "no facilitator" in spread


def test_write_a_course_and_open_a_circle_on_the_pages(client, world, planner, reading):
    client.force_login(world.users["cam"])
    bad = client.post(
        PAGES + "/courses/new/", {"title": "T", "completion_percent": 80, "sessions": "One | x"}
    )
    assert bad.status_code == 400 and not Course.objects.exists()
    made = client.post(
        PAGES + "/courses/new/",
        {
            "title": "Housing basics",
            "completion_percent": 50,
            "sessions": f"Rent | {reading.document_id}v1\nRepairs",
        },
    )
    assert made.status_code == 302
    course = Course.objects.get()
    assert course.sessions.count() == 2
    bad = client.post(
        PAGES + f"/courses/{course.pk}/circles/",
        {
            "name": "C",
            "where": "",
            "link": "https://meet.example",
            "dates": "2030-01-01 18:00",
            "minutes": 90,
        },
    )
    assert bad.status_code == 400 and not Circle.objects.exists()  # one date for two sessions
    opened = client.post(
        PAGES + f"/courses/{course.pk}/circles/",
        {
            "name": "Online readers",
            "where": "",
            "link": "https://meet.example",
            "dates": "2030-01-01 18:00\n2030-01-08 18:00",
            "minutes": 90,
        },
    )
    assert opened.status_code == 302
    circle = Circle.objects.get()
    assert circle.online and circle.sessions.count() == 2
    client.force_login(world.users["ben"])
    assert client.post(PAGES + f"/circles/{circle.pk}/join/").status_code == 302
    assert circle.participants.filter(member=world.ben).exists()
    assert client.post(PAGES + f"/circles/{circle.pk}/facilitate/").status_code == 403


def test_the_api_runs_the_same_rules(client, world, planner, reading, bearer):
    refused = client.post(
        API + "/courses",
        {"title": "X", "sessions": [{"title": "One"}]},
        content_type="application/json",
        **bearer("ben"),
    )
    assert refused.status_code == 403
    bad = client.post(
        API + "/courses",
        {"title": "X", "sessions": [{"title": "One", "readings": [[999, 1]]}]},
        content_type="application/json",
        **bearer("cam"),
    )
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "readings"
    assert not Course.objects.exists()
    made = client.post(
        API + "/courses",
        {
            "title": "X",
            "completion_percent": 50,
            "sessions": [
                {"title": "One", "readings": [[reading.document_id, 1]]},
                {"title": "Two"},
            ],
        },
        content_type="application/json",
        **bearer("cam"),
    )
    assert made.status_code == 201, made.content
    course_id = made.json()["id"]
    bad = client.post(
        f"{API}/courses/{course_id}/circles",
        {
            "name": "C",
            "place": "Hall",
            "dates": [["2030-01-01T18:00:00+00:00", "2030-01-01T20:00:00+00:00"]],
        },
        content_type="application/json",
        **bearer("cam"),
    )
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "dates"
    opened = client.post(
        f"{API}/courses/{course_id}/circles",
        {
            "name": "C",
            "place": "Hall",
            "dates": [
                ["2030-01-01T18:00:00+00:00", "2030-01-01T20:00:00+00:00"],
                ["2030-01-08T18:00:00+00:00", "2030-01-08T20:00:00+00:00"],
            ],
        },
        content_type="application/json",
        **bearer("cam"),
    )
    assert opened.status_code == 201, opened.content
    circle_id = opened.json()["id"]
    assert client.post(f"{API}/circles/{circle_id}/join", **bearer("ben")).status_code == 200
    future = opened.json()["sessions"][0]["id"]
    early = client.post(
        f"{API}/circles/{circle_id}/attendance",
        {"session_id": future, "member_id": world.ben.pk, "state": "attended"},
        content_type="application/json",
        **bearer("cam"),
    )
    assert early.status_code == 400 and early.json()["detail"][0]["field"] == "session"
    assert client.get(f"{API}/circles/{circle_id}/register", **bearer("ana")).status_code == 404
    assert len(client.get(f"{API}/circles/{circle_id}/register", **bearer("cam")).json()) == 1
    assert client.get(f"{API}/courses").status_code == 401


def test_who_attended_what_reaches_no_one_else(client, world, course, held, bearer):
    """Ben's attendance: on his own path and the facilitators' register, nowhere else."""
    mine = client.get(API + "/me", **bearer("ben")).json()
    assert sorted(a["state"] for a in mine["attendance"][str(held.pk)]) == [
        "attended",
        "excused",
        "registered",
        "registered",
    ]
    for short in ("ana", "dana", "eli"):
        headers = bearer(short)
        for path in (
            "/courses",
            f"/courses/{course.pk}",
            f"/circles/{held.pk}",
            "/spread",
            "/me",
        ):
            answer = client.get(API + path, **headers)
            assert answer.status_code == 200, (short, path)
            body = answer.content.decode()
            assert "Ben" not in body and "attended" not in body and "excused" not in body, path
        assert client.get(f"{API}/circles/{held.pk}/register", **headers).status_code == 404
        client.force_login(world.users[short])
        for path in ("/", "/spread/", f"/courses/{course.pk}/", f"/circles/{held.pk}/"):
            page = client.get(PAGES + path).content.decode()
            assert "Ben" not in page and "attended" not in page and "excused" not in page, path
    # The audit log (public to members) names no participant of a circle.
    for entry in AuditEntry.objects.filter(action__startswith="education."):
        assert not {"member", "member_id", "state"} & set(entry.data) and "Ben" not in str(
            entry.data
        )
        assert entry.target.split(":")[0] in {"course", "circle", "circlesession"}, entry.target
    audit = client.get("/api/v1/organisations/test-union/audit", **bearer("ana"))
    assert "Ben" not in audit.content.decode() or audit.status_code != 200
