"""Tasks and shifts (least and most people, sign-up, done) and the attendance API."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.struggles.models import Task
from tribune.struggles.services import events, tasks


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def picket(world, organiser):
    start = timezone.now() + timedelta(days=2)
    return events.create_event(
        organiser,
        world.org,
        title="Picket at the depot",
        kind="picket",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        place="Depot gate",
    )


def test_a_shift_fills_between_its_least_and_most(world, organiser, picket):
    start = picket.starts_at
    shift = tasks.create_task(
        organiser,
        world.org,
        event=picket,
        title="First shift on the gate",
        min_people=2,
        max_people=2,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    assert shift.status == "needs_people" and shift.missing == 2
    tasks.sign_up(world.ben, shift)
    tasks.sign_up(world.ben, shift)  # twice is once
    shift.refresh_from_db()
    assert shift.taken == 1 and shift.status == "needs_people"
    tasks.sign_up(world.cam, shift)
    shift.refresh_from_db()
    assert shift.status == "full"
    with pytest.raises(RuleViolation, match="full"):
        tasks.sign_up(world.dana, shift)
    tasks.withdraw(world.cam, shift)
    tasks.sign_up(world.dana, shift)
    shift.refresh_from_db()
    assert shift.taken == 2
    tasks.mark_done(world.ben, shift)  # someone who signed up says it is done
    shift.refresh_from_db()
    assert shift.status == "done"
    with pytest.raises(RuleViolation):
        tasks.sign_up(world.eli, shift)
    with pytest.raises(RuleViolation):
        tasks.withdraw(world.dana, shift)
    # Signing up is never logged: the log would name who stood on the picket.
    assert (
        not AuditEntry.objects.filter(action__startswith="task.")
        .exclude(action="task.created")
        .exists()
    )


def test_only_organisers_set_tasks_and_mark_others_done(world, organiser):
    with pytest.raises(NotPermitted):
        tasks.create_task(world.ben, world.org, title="Print leaflets")
    task = tasks.create_task(organiser, world.org, title="Print leaflets", min_people=1)
    with pytest.raises(NotPermitted):
        tasks.mark_done(world.cam, task)  # not signed up, no mandate
    tasks.mark_done(organiser, task)
    assert AuditEntry.objects.filter(action="task.done", actor=organiser).exists()


def test_task_input_is_checked_by_field(world, organiser, picket):
    cases = [
        ({"title": ""}, "title"),
        ({"title": "x", "min_people": 0}, "min_people"),
        ({"title": "x", "min_people": 3, "max_people": 2}, "max_people"),
        ({"title": "x", "starts_at": picket.starts_at}, "ends_at"),
        (
            {"title": "x", "starts_at": picket.ends_at, "ends_at": picket.starts_at},
            "ends_at",
        ),
        ({"title": "x", "branch": "nowhere"}, "branch"),
    ]
    for kwargs, field in cases:
        with pytest.raises(RuleViolation) as refused:
            tasks.create_task(world.ana, world.org, **kwargs)
        assert refused.value.field == field, kwargs
    assert not Task.objects.exists()


def test_task_api_shows_people_to_organisers_only(world, organiser, picket):
    slug = world.org.slug
    ana, ben = _client(world.users["ana"]), _client(world.users["ben"])
    made = ana.post(
        f"/api/v1/organisations/{slug}/tasks",
        {"title": "Bring the banner", "min_people": 1, "max_people": 3, "event_id": picket.pk},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    task_id = made.json()["id"]
    assert ben.post(f"/api/v1/organisations/{slug}/tasks/{task_id}/signup").status_code == 201
    mine = ben.get(f"/api/v1/organisations/{slug}/tasks/{task_id}").json()
    assert mine["mine"] is True and mine["people"] == [] and mine["status"] == "enough"
    seen = ana.get(f"/api/v1/organisations/{slug}/tasks/{task_id}").json()
    assert [p["name"] for p in seen["people"]] == ["Ben"]
    assert "Ben" not in Client().get(f"/api/v1/organisations/{slug}/tasks").content.decode()
    bad = ana.post(
        f"/api/v1/organisations/{slug}/tasks",
        {"title": "x", "min_people": 5, "max_people": 1},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "max_people"
    done = ben.post(f"/api/v1/organisations/{slug}/tasks/{task_id}/done")
    assert done.json()["status"] == "done"


def test_attendance_is_for_the_organisers_and_each_person_alone(world, organiser, picket):
    slug = world.org.slug
    events.sign_up(world.ben, picket)
    events.sign_up(world.cam, picket)
    url = f"/api/v1/organisations/{slug}/events/{picket.pk}/attendance"
    ana, ben = _client(world.users["ana"]), _client(world.users["ben"])
    marked = ana.post(
        url, {"member_id": world.ben.pk, "state": "attended"}, content_type="application/json"
    )
    assert marked.status_code == 200 and marked.json()["state"] == "attended"
    everyone = ana.get(url).json()
    assert {(r["name"], r["state"]) for r in everyone} == {
        ("Ben", "attended"),
        ("Cam", "signed_up"),
    }
    assert ben.get(url).json() == [{"member_id": world.ben.pk, "name": "Ben", "state": "attended"}]
    assert _client(world.users["dana"]).get(url).json() == []
    assert Client().get(url).status_code == 401
    refused = ben.post(
        url, {"member_id": world.cam.pk, "state": "no_show"}, content_type="application/json"
    )
    assert refused.status_code == 403
    bad = ana.post(
        url, {"member_id": world.cam.pk, "state": "asleep"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "state"
    entry = AuditEntry.objects.get(action="event.attendance")
    assert "Ben" not in str(entry.data) and entry.target == f"event:{picket.pk}"
