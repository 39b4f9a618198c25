"""/healthz, /metrics and the request log."""

import json
import logging
import time

import pytest
from django.test import Client

from tribune.ops import health


@pytest.fixture
def no_heartbeat(db):
    from django.core.cache import cache

    cache.delete(health.HEARTBEAT_KEY)


def test_healthz_is_503_until_the_task_worker_has_run(no_heartbeat, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["tasks"] == {
        "ok": False,
        "last_run": None,
        "age_seconds": None,
        "lag_seconds": None,
        "pending": body["checks"]["tasks"]["pending"],
        "error": "the task worker has not run yet",
    }


def test_the_worker_heartbeat_makes_healthz_200_and_measures_lag(no_heartbeat, client):
    from tribune.ops.tasks import heartbeat

    heartbeat.call_local()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    tasks = response.json()["checks"]["tasks"]
    assert tasks["ok"] and tasks["age_seconds"] < 5 and 0 <= tasks["lag_seconds"] <= 60
    assert isinstance(tasks["pending"], int)
    assert "redis" not in response.json()["checks"]  # not configured


def test_a_worker_silent_too_long_is_unhealthy(no_heartbeat, client, settings):
    settings.TRIBUNE_HEALTH_WORKER_MAX_AGE = 60
    from django.core.cache import cache

    cache.set(health.HEARTBEAT_KEY, {"at": time.time() - 600, "lag": 0.1}, timeout=None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "has not run for" in response.json()["checks"]["tasks"]["error"]


def test_redis_when_configured_is_checked(no_heartbeat, client, settings):
    health.beat()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_metrics_are_off_without_a_token(db, client, settings):
    settings.TRIBUNE_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_only_for_the_token(world, client, settings):
    settings.TRIBUNE_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    client.force_login(world.users["ana"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/metrics").status_code == 401  # being logged in is not enough
    client.get("/")
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    text = response.content.decode()
    for name in (
        "tribune_http_request_duration_seconds_bucket",
        "tribune_http_requests_in_progress",
        "tribune_http_connections_open",
        "tribune_ballots_cast_total",
        "tribune_task_queue_pending",
        "tribune_task_queue_lag_seconds",
        "tribune_task_worker_last_run_age_seconds",
        "tribune_email_failures_total",
    ):
        assert name in text, name
    assert 'route=""' not in text
    assert "ana@test.org" not in text


def test_one_json_line_per_request_without_personal_data(world, client, caplog):
    member = world.ben
    user = world.users["ben"]
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/o/{world.org.slug}/members/{member.pk}/?q={member.name}"
    with caplog.at_level(logging.INFO, logger="tribune.requests"):
        response = client.get(url)
    lines = [r.getMessage() for r in caplog.records if r.name == "tribune.requests"]
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert set(line) == {"event", "method", "route", "status", "ms", "bytes"}
    assert line["status"] == response.status_code and line["method"] == "GET"
    assert line["route"] == "o/<slug:slug>/members/<id:member_id>/"
    assert isinstance(line["ms"], float) and line["ms"] >= 0
    text = lines[0]
    assert not [r for r in caplog.records if r.name != "tribune.requests"], caplog.records
    for private in (user.email, member.name, "Ben", "127.0.0.1", user.username, "q="):
        assert private not in text, private


def test_email_the_mail_server_refuses_is_counted(settings):
    from django.core.mail import send_mail

    from tribune.ops.metrics import EMAIL_FAILURES

    settings.EMAIL_BACKEND = "tribune.ops.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    before = EMAIL_FAILURES._value.get()
    with pytest.raises(OSError):
        send_mail("Ballot open", "Vote now.", "tribune@example.net", ["ben@example.net"])
    assert (
        send_mail("Again", "x", "tribune@example.net", ["b@example.net"], fail_silently=True) == 0
    )
    assert EMAIL_FAILURES._value.get() == before + 2


def test_live_connections_are_counted_at_the_asgi_door():
    """An event stream is counted while it is open, and no longer once it is answered."""
    import asyncio
    import threading

    from tribune.asgi import application
    from tribune.ops.metrics import OPEN_CONNECTIONS

    streams = OPEN_CONNECTIONS.labels("stream")
    before = streams._value.get()
    seen = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        seen.append(streams._value.get())

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/o/x/assemblies/1/events/",
        "headers": [(b"host", b"not-allowed.example")],  # refused at once: 400
    }
    # In a thread of its own: the browser tests' Playwright keeps an event loop running
    # in the main thread for the rest of the session, where asyncio.run() is refused.
    errors = []

    def run() -> None:
        try:
            asyncio.run(application(scope, receive, send))
        except Exception as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not errors, errors
    assert seen and seen[0] == before + 1
    assert streams._value.get() == before


def test_a_refused_request_logs_no_path(world, client, caplog):
    """Django's "Not Found: /path" warnings would name member ids: only the JSON line is logged."""
    client.force_login(world.users["ben"], backend="django.contrib.auth.backends.ModelBackend")
    url = f"/o/{world.org.slug}/members/987654321/"
    with caplog.at_level(logging.INFO):
        response = client.get(url)
    assert response.status_code in (403, 404)
    assert "987654321" not in caplog.text
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "tribune.requests"]
    assert line["status"] == response.status_code
