"""The event stream served from the ASGI layer: routing, refusals, and no listener left behind."""

import asyncio
import threading

import pytest

from tribune import asgi
from tribune.assemblies import live
from tribune.lib import events


def _run(coroutine_factory):
    """Run in a thread with its own loop: Playwright's sync API may own this thread's loop."""
    result = {}

    def target():
        try:
            result["value"] = asyncio.run(coroutine_factory())
        except BaseException as failure:  # noqa: BLE001 — re-raised in the test's thread
            result["error"] = failure

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(10)
    if "error" in result:
        raise result["error"]
    return result["value"]


def _scope(path: str, host: bytes = b"127.0.0.1", method: str = "GET") -> dict:
    return {"type": "http", "method": method, "path": path, "headers": [(b"host", host)]}


async def _call(scope: dict, *, hang_up_after: int = 1) -> tuple[list[dict], int]:
    """Drive the application; the client hangs up once ``hang_up_after`` bodies arrived.

    Returns what was sent and how many listeners the stream's channel had while open.
    """
    sent: list[dict] = []
    bodies = asyncio.Event()
    listening = 0

    async def receive():
        await bodies.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal listening
        sent.append(message)
        if message["type"] == "http.response.body" and message.get("more_body"):
            listening = max(listening, events.subscriber_count("assembly-424242"))
            if sum(m["type"] == "http.response.body" for m in sent) >= hang_up_after:
                bodies.set()

    await asyncio.wait_for(asgi.application(scope, receive, send), 5)
    return sent, listening


def test_a_stream_is_served_beside_django_and_leaves_no_listener_behind():
    live._known.add(("test-union", 424242))
    try:
        sent, listening = _run(lambda: _call(_scope("/o/test-union/assemblies/424242/events/")))
    finally:
        live._known.discard(("test-union", 424242))
    assert sent[0]["status"] == 200
    assert (b"content-type", b"text/event-stream") in sent[0]["headers"]
    assert sent[1]["body"] == b"retry: 2000\n\n"
    assert listening == 1  # subscribed while the browser was there
    assert events.subscriber_count("assembly-424242") == 0  # and gone once it hung up


def test_a_stream_refuses_foreign_hosts_and_other_methods():
    for scope in (
        _scope("/o/test-union/assemblies/1/events/", host=b"evil.example"),
        _scope("/o/test-union/assemblies/1/events/", method="POST"),
    ):
        sent, _ = _run(lambda scope=scope: _call(scope))
        assert sent[0]["status"] == 400


@pytest.mark.django_db(transaction=True)
def test_a_stream_of_an_assembly_that_does_not_exist_is_not_found():
    sent, _ = _run(lambda: _call(_scope("/o/test-union/assemblies/999999/events/")))
    assert sent[0]["status"] == 404


def test_other_paths_go_to_django():
    assert not live.is_stream(_scope("/o/test-union/assemblies/1/"))
    assert not live.is_stream(_scope("/o/test-union/assemblies/1/events/x"))
    assert live.is_stream(_scope("/o/test-union/assemblies/1/events/"))


def test_requests_enter_django_a_few_at_a_time(monkeypatch):
    inside, most = 0, 0

    async def django(scope, receive, send):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.05)
        inside -= 1

    monkeypatch.setattr(asgi, "django_application", django)
    monkeypatch.setattr(asgi, "IN_FLIGHT", 2)

    async def burst():
        await asyncio.gather(*(asgi.application(_scope("/api/v1/"), None, None) for _ in range(6)))

    _run(burst)
    assert most == 2
