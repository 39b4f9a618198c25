"""Live events pushed to browsers (Server-Sent Events).

``publish`` is called by actions after their transaction commits; ``listen``
is an async iterator the SSE views consume. Delivery is in-process by
default (one server process: every subscriber lives in it) and goes through
Redis pub/sub when ``REDIS_URL`` is set, so several worker processes all see
every event. Events carry what changed, never secrets.

Built for thousands of open connections per process: a message is handed to
each event loop once (one wake-up, not one per listener) and fanned out to
that loop's listeners there; with Redis each loop holds ONE subscription per
channel, not one Redis connection per browser.
"""

import asyncio
import contextlib
import functools
import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import AsyncIterator

from django.conf import settings
from django.db import transaction

_lock = threading.Lock()
# channel → event loop → the queues of that loop's listeners
_subscribers: dict[str, dict[asyncio.AbstractEventLoop, set[asyncio.Queue]]] = defaultdict(dict)
_hubs: dict[asyncio.AbstractEventLoop, "_RedisHub"] = {}


def _fanout(queues: list[asyncio.Queue], message: str) -> None:
    for queue in queues:
        queue.put_nowait(message)


def _local_queues(channel: str, loop: asyncio.AbstractEventLoop) -> list[asyncio.Queue]:
    with _lock:
        return list(_subscribers.get(channel, {}).get(loop, ()))


def _deliver_locally(channel: str, message: str) -> None:
    with _lock:
        targets = [(loop, list(qs)) for loop, qs in _subscribers.get(channel, {}).items()]
    for loop, queues in targets:
        with contextlib.suppress(RuntimeError):  # a loop that has closed meanwhile
            loop.call_soon_threadsafe(_fanout, queues, message)


@functools.cache
def _prefix() -> str:
    """Redis channels are namespaced by the database, so installations sharing a Redis
    (or benchmarks and tests running side by side) never hear each other's events."""
    db = settings.DATABASES["default"]
    where = "|".join(str(db.get(k, "")) for k in ("ENGINE", "HOST", "PORT", "NAME"))
    return f"tribune:{hashlib.sha256(where.encode()).hexdigest()[:12]}:"


def _send(channel: str, message: str) -> None:
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).publish(_prefix() + channel, message)
    else:
        _deliver_locally(channel, message)


def send_now(channel: str, event: str, data: dict) -> None:
    """Send ``event`` at once, outside any transaction (for coalesced, after-commit updates)."""
    _send(channel, json.dumps({"event": event, "data": data}, default=str))


def publish(channel: str, event: str, data: dict) -> None:
    """Send ``event`` to every listener of ``channel`` once the current transaction commits."""
    message = json.dumps({"event": event, "data": data}, default=str)
    transaction.on_commit(lambda: _send(channel, message))


class _RedisHub:
    """One Redis pub/sub connection per event loop, shared by all its listeners."""

    def __init__(self) -> None:
        import redis.asyncio as aioredis

        self.client = aioredis.Redis.from_url(settings.REDIS_URL)
        self.pubsub = self.client.pubsub()
        self.reader: asyncio.Task | None = None

    async def subscribe(self, channel: str) -> None:
        await self.pubsub.subscribe(_prefix() + channel)
        if self.reader is None or self.reader.done():
            self.reader = asyncio.create_task(self._read())

    async def unsubscribe(self, channel: str) -> None:
        await self.pubsub.unsubscribe(_prefix() + channel)

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        prefix = len(_prefix())
        async for item in self.pubsub.listen():  # ends when nothing is subscribed any more
            if item.get("type") == "message":
                channel = item["channel"].decode()[prefix:]
                _fanout(_local_queues(channel, loop), item["data"].decode())


async def listen(
    channel: str, heartbeat: float | None = None, ready: bool = False
) -> AsyncIterator[str | None]:
    """Yield each message published on ``channel`` from now on.

    ``None`` is yielded every ``heartbeat`` seconds (something to keep the
    connection alive with) and, with ``ready``, once as soon as the listener is
    subscribed, so a stream can tell its client "listening" without a race.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    with _lock:
        listeners = _subscribers[channel].setdefault(loop, set())
        first = not listeners
        listeners.add(queue)
    hub = None
    if settings.REDIS_URL:
        hub = _hubs.get(loop)
        if hub is None:
            hub = _hubs[loop] = _RedisHub()
        if first:
            await hub.subscribe(channel)
    timer = None

    def beat() -> None:
        nonlocal timer
        queue.put_nowait(None)
        timer = loop.call_later(heartbeat, beat)

    if heartbeat:
        timer = loop.call_later(heartbeat, beat)
    try:
        if ready:
            yield None
        while True:
            yield await queue.get()
    finally:
        if timer is not None:
            timer.cancel()
        with _lock:
            listeners.discard(queue)
            last = not listeners
        if hub is not None and last:
            with contextlib.suppress(Exception):  # the connection may be gone at shutdown
                await hub.unsubscribe(channel)


def subscriber_count(channel: str) -> int:
    with _lock:
        return sum(len(qs) for qs in _subscribers.get(channel, {}).values())
