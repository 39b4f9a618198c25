"""Live events over Redis keep flowing when the Redis connection does not.

A congress hall must not go deaf because Redis restarted or a connection was
cut: the loop's one subscription reconnects, subscribes again, tells its
listeners to ``resync`` and goes on delivering; publishing never fails the
action that already committed. Each scenario runs on its own thread and event
loop (Playwright's sync API may own the test thread's loop) and on a channel of
its own. Outages are staged with a small TCP relay in front of the real Redis.
"""

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import pytest
import redis

from conftest import redis_test_url
from tribune.lib import events

REDIS_URL = redis_test_url()


@pytest.fixture
def redis_url(settings) -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.fail(f"these tests need Redis at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL
    return REDIS_URL


def in_own_loop(scenario: Callable[[], Awaitable[None]]) -> None:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "scenario still running after 60 s"
    if failures:
        raise failures[0]


class Listener:
    """What one browser's stream would hear, gathered by a task of its own."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.heard: asyncio.Queue = asyncio.Queue()
        self.ready = asyncio.Event()
        self.task = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        async for message in events.listen(self.channel, ready=True):
            if message is None:
                self.ready.set()
            else:
                await self.heard.put(json.loads(message))

    async def next(self, timeout: float = 5) -> dict:
        return await asyncio.wait_for(self.heard.get(), timeout)

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def send(channel: str, event: str, data: dict) -> None:
    """Publish as a request would: blocking, so from a thread, never on the loop."""
    await asyncio.to_thread(events.send_now, channel, event, data)


async def heard_after_retries(listener: Listener, seconds: float = 10) -> list[str]:
    """Publish every 0.2 s until ``listener`` hears it; returns every event name heard."""
    names: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await send(listener.channel, "vote_closed", {"vote": 1})
        try:
            while True:
                names.append((await listener.next(timeout=0.2))["event"])
                if names[-1] == "vote_closed":
                    return names
        except TimeoutError:
            continue
    raise AssertionError(f"nothing delivered within {seconds} s; heard {names}")


def connections(role: str) -> list[dict]:
    """This process's ``role`` connections, as Redis lists them."""
    name = events._client_name(role)
    return [c for c in redis.Redis.from_url(REDIS_URL).client_list() if c["name"] == name]


def kill_connections(role: str) -> int:
    """CLIENT KILL this process's ``role`` connections, as a Redis restart would."""
    server = redis.Redis.from_url(REDIS_URL)
    return sum(server.client_kill_filter(_id=c["id"]) for c in connections(role))


def unique_channel() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_listeners_hear_again_after_their_connection_is_killed(redis_url):
    async def scenario() -> None:
        listener = Listener(unique_channel())
        await asyncio.wait_for(listener.ready.wait(), 5)
        await send(listener.channel, "vote_opened", {"vote": 1})
        assert (await listener.next())["event"] == "vote_opened"

        assert kill_connections("events") == 1
        names = await heard_after_retries(listener)

        assert "resync" in names  # the page is told it may have missed something
        assert kill_connections("events") == 1  # one connection again, not a leak
        await listener.stop()

    in_own_loop(scenario)


def test_many_listeners_share_one_connection_that_ends_with_the_last(redis_url):
    async def scenario() -> None:
        channels = [unique_channel(), unique_channel()]
        listeners = [Listener(channels[i % 2]) for i in range(6)]
        for listener in listeners:
            await asyncio.wait_for(listener.ready.wait(), 5)
        assert [c["sub"] for c in connections("events")] == ["2"]  # one, on both channels

        await send(channels[0], "agenda", {})
        for listener in listeners[::2]:
            assert (await listener.next())["event"] == "agenda"
        assert all(listener.heard.empty() for listener in listeners[1::2])

        for listener in listeners:
            await listener.stop()
        hub = events._hubs[asyncio.get_running_loop()]
        await asyncio.wait_for(hub.reader, 5)
        assert connections("events") == []
        assert events.subscriber_count(channels[0]) == events.subscriber_count(channels[1]) == 0

    in_own_loop(scenario)


class Relay:
    """A TCP relay in front of Redis, to stop (a restart) or to mute (a half-open link)."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.port = 0
        self.links: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self.muted: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()
        for client, upstream in self.links:
            client.close()
            upstream.close()
        self.links.clear()

    def mute(self) -> None:
        """Existing links go silent without closing; new ones still work."""
        self.muted.update(client for client, _ in self.links)

    async def _link(self, reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        target = urlsplit(REDIS_URL)
        up_reader, upstream = await asyncio.open_connection(target.hostname, target.port or 6379)
        self.links.append((client, upstream))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    if client not in self.muted:
                        sink.write(data)
                        await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream), pipe(up_reader, client))


def test_redis_down_for_a_while_loses_events_but_not_the_listeners(redis_url, settings, caplog):
    async def scenario() -> None:
        relay = Relay()
        await relay.start()
        settings.REDIS_URL = relay.url
        listener = Listener(unique_channel())
        await asyncio.wait_for(listener.ready.wait(), 5)

        await relay.stop()
        with caplog.at_level(logging.ERROR, logger="tribune.lib.events"):
            await send(listener.channel, "vote_closed", {"vote": 1})  # logged, not raised
        assert "lost, Redis unreachable" in caplog.text
        late = Listener(unique_channel())  # a browser arriving during the outage waits
        await asyncio.sleep(1)  # several refused reconnections, backing off
        assert not late.ready.is_set()

        await relay.start()
        await asyncio.wait_for(late.ready.wait(), 10)
        assert (await listener.next(timeout=5))["event"] == "resync"
        await send(listener.channel, "vote_opened", {"vote": 2})
        assert (await listener.next())["data"] == {"vote": 2}
        await send(late.channel, "agenda", {})
        assert [(await late.next())["event"] for _ in range(2)] == ["resync", "agenda"]
        await listener.stop()
        await late.stop()
        await relay.stop()

    in_own_loop(scenario)


def test_a_connection_gone_silent_is_noticed(redis_url, settings, monkeypatch):
    monkeypatch.setattr(events, "PING_SECONDS", 0.2)

    async def scenario() -> None:
        relay = Relay()
        await relay.start()
        settings.REDIS_URL = relay.url
        listener = Listener(unique_channel())
        await asyncio.wait_for(listener.ready.wait(), 5)
        await asyncio.sleep(1)  # quiet, but pings keep the connection
        await send(listener.channel, "agenda", {})
        assert (await listener.next())["event"] == "agenda"

        relay.mute()
        assert (await listener.next(timeout=5))["event"] == "resync"
        await send(listener.channel, "vote_opened", {})
        assert (await listener.next())["event"] == "vote_opened"
        await listener.stop()
        await relay.stop()

    in_own_loop(scenario)


def test_publishing_reuses_one_client_and_survives_a_killed_connection(redis_url):
    assert events._publisher(redis_url) is events._publisher(redis_url)

    async def scenario() -> None:
        listener = Listener(unique_channel())
        await asyncio.wait_for(listener.ready.wait(), 5)
        await send(listener.channel, "agenda", {})
        assert (await listener.next())["event"] == "agenda"
        assert kill_connections("publish") >= 1
        await send(listener.channel, "speakers", {})
        assert (await listener.next())["event"] == "speakers"
        await listener.stop()

    in_own_loop(scenario)
