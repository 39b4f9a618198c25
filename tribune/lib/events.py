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

Delivery is at most once. When Redis is unreachable an event is lost, not
retried later: the action that sent it has committed and stands, and every
loop that lost its Redis connection sends its listeners a ``resync`` event
once it is back, so pages can fetch afresh what they may have missed.
"""

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import os
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Callable

import redis
import redis.asyncio as aioredis
from django.conf import settings
from django.db import transaction
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Reconnecting: the first retry comes quickly (a killed connection is back at once),
# later ones back off so a Redis that stays down is not hammered.
RETRY_FIRST_SECONDS = 0.1
RETRY_MAX_SECONDS = 5.0
# A quiet subscription is pinged this often: a connection that died without a word
# (a network blip leaving it half-open) is noticed within two intervals.
PING_SECONDS = 30.0
RESYNC = json.dumps({"event": "resync", "data": {}})

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


def _local_channels(loop: asyncio.AbstractEventLoop) -> set[str]:
    with _lock:
        return {channel for channel, loops in _subscribers.items() if loops.get(loop)}


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


def _client_name(role: str) -> str:
    """Names our connections in Redis's ``CLIENT LIST``, per process, for operators and tests."""
    return f"tribune-{role}-{os.getpid()}"


@functools.cache
def _publisher(url: str) -> redis.Redis:
    """One client per process, so publishing reuses pooled connections.

    A command that fails on a broken connection is sent once more on a fresh one
    (a Redis restart leaves every pooled connection dead); a second failure raises.
    """
    return redis.Redis.from_url(
        url,
        retry=Retry(NoBackoff(), 1),
        client_name=_client_name("publish"),
        socket_connect_timeout=2,
        socket_timeout=2,
    )


def _send(channel: str, message: str) -> None:
    if not settings.REDIS_URL:
        _deliver_locally(channel, message)
        return
    try:
        _publisher(settings.REDIS_URL).publish(_prefix() + channel, message)
    except redis.RedisError as exc:
        # The action has committed: failing its request now would only invite a retry
        # of something already done. Listeners get "resync" once Redis is back.
        logger.error("Live event on %s lost, Redis unreachable: %s", channel, exc)


def send_now(channel: str, event: str, data: dict) -> None:
    """Send ``event`` at once, outside any transaction (for coalesced, after-commit updates)."""
    _send(channel, json.dumps({"event": event, "data": data}, default=str))


def publish(channel: str, event: str, data: dict) -> None:
    """Send ``event`` to every listener of ``channel`` once the current transaction commits.

    If Redis is down the event is logged as lost and the request goes on (see above).
    """
    message = json.dumps({"event": event, "data": data}, default=str)
    transaction.on_commit(lambda: _send(channel, message))


def publish_ahead(channel: str) -> Callable[[str, dict], None]:
    """Take a place for an event now among the transaction's after-commit work; fill it later.

    Call the returned function with the event and its data before the transaction
    commits; it is sent on commit, ahead of whatever after-commit work was registered
    after this call. For a result that is known only at the end of a transaction
    whose earlier steps leave slower work for after the commit: a congress's close
    reseals the voter roll and scrubs the database after it commits, and the hall's
    3,000 screens should not wait for that to see the result.
    """
    messages: list[str] = []

    def send_all() -> None:
        for message in messages:
            _send(channel, message)

    transaction.on_commit(send_all)

    def put(event: str, data: dict) -> None:
        messages.append(json.dumps({"event": event, "data": data}, default=str))

    return put


class _RedisHub:
    """One Redis pub/sub connection per event loop, shared by all its listeners.

    The reader task owns the connection: whenever it fails (Redis restarted, the
    connection killed, a network blip) the reader reconnects, backing off, for as
    long as the loop has listeners, subscribes again to every channel that still has
    one and sends those listeners ``resync``. Anyone else who sees the connection
    fail closes it, so the reader notices; the reader closes it when the loop has no
    listeners left.
    """

    def __init__(self) -> None:
        # No retries inside redis-py: recovering (and resubscribing) is the reader's job.
        self.client = aioredis.Redis.from_url(
            settings.REDIS_URL,
            retry=AsyncRetry(NoBackoff(), 0),
            client_name=_client_name("events"),
            socket_connect_timeout=5,
            socket_timeout=5,
        )
        self.pubsub: PubSub | None = None  # None while disconnected
        self.channels: set[str] = set()  # subscribed on the current connection
        self.connected = asyncio.Event()
        self.reader: asyncio.Task | None = None

    async def subscribe(self, channel: str) -> None:
        """Return once ``channel`` is subscribed, waiting for Redis if it is down."""
        if self.reader is None or self.reader.done():
            self.reader = asyncio.create_task(self._run())
        while channel not in self.channels:
            pubsub = self.pubsub
            if pubsub is None:
                await self.connected.wait()
                continue
            self.channels.add(channel)  # at once: the listeners arriving meanwhile wait no more
            try:
                await pubsub.subscribe(_prefix() + channel)
            except Exception:  # noqa: BLE001 - whatever broke, the reader starts over
                await self._drop(pubsub)

    async def unsubscribe(self, channel: str) -> None:
        """Drop ``channel`` unless a listener of this loop has come (back) for it meanwhile."""
        if channel not in self.channels or _local_queues(channel, asyncio.get_running_loop()):
            return
        self.channels.discard(channel)
        pubsub = self.pubsub
        try:
            await pubsub.unsubscribe(_prefix() + channel)
        except Exception:  # noqa: BLE001
            await self._drop(pubsub)

    async def _drop(self, pubsub: PubSub) -> None:
        """Forget a connection and close it; a reader still waiting on it wakes with an error."""
        if self.pubsub is pubsub:
            self.pubsub, self.channels = None, set()
            self.connected.clear()
        with contextlib.suppress(Exception):
            await pubsub.aclose()

    async def _run(self) -> None:
        """Stay connected while this loop has listeners; reconnect, backing off, when cut."""
        loop = asyncio.get_running_loop()
        pause, lost = RETRY_FIRST_SECONDS, False
        while _local_channels(loop):
            pubsub = self.client.pubsub()
            try:
                channels = await self._connect(pubsub)
            except Exception as exc:  # noqa: BLE001 - whatever it is, try again later
                await self._drop(pubsub)
                if not lost:
                    logger.warning("Redis unreachable for live events, retrying: %s", exc)
                lost = True
                await asyncio.sleep(pause)
                pause = min(pause * 2, RETRY_MAX_SECONDS)
                continue
            pause = RETRY_FIRST_SECONDS
            if lost:
                logger.warning("Redis reachable again for live events")
                for channel in channels:
                    _fanout(_local_queues(channel, loop), RESYNC)
            try:
                await self._read(pubsub)
                lost = False
            except Exception as exc:  # noqa: BLE001
                logger.warning("Redis connection for live events lost, reconnecting: %s", exc)
                lost = True
            finally:
                await self._drop(pubsub)

    async def _connect(self, pubsub: PubSub) -> set[str]:
        """Connect and subscribe to every channel this loop listens to; returns them."""
        await pubsub.connect()
        channels = _local_channels(asyncio.get_running_loop())
        if channels:
            await pubsub.subscribe(*(_prefix() + channel for channel in channels))
        self.pubsub, self.channels = pubsub, channels
        self.connected.set()
        return channels

    async def _read(self, pubsub: PubSub) -> None:
        """Hand each message to this loop's listeners until none is left; raise if the
        connection fails or stays silent after a ping."""
        loop = asyncio.get_running_loop()
        prefix = len(_prefix())
        pinged = False
        while _local_channels(loop):
            if self.pubsub is not pubsub:
                raise redis.ConnectionError("closed after a failed command")
            item = await pubsub.get_message(timeout=PING_SECONDS)
            if item is None:
                if pinged:
                    raise redis.TimeoutError("no answer to a ping")
                await pubsub.ping()
                pinged = True
                continue
            pinged = False
            if item["type"] == "message":
                channel = item["channel"].decode()[prefix:]
                if queues := _local_queues(channel, loop):
                    _fanout(queues, item["data"].decode())
                else:  # its last listener left while we were reconnecting
                    await self.unsubscribe(channel)


async def listen(
    channel: str, heartbeat: float | None = None, ready: bool = False
) -> AsyncIterator[str | None]:
    """Yield each message published on ``channel`` from now on.

    ``None`` is yielded every ``heartbeat`` seconds (something to keep the
    connection alive with) and, with ``ready``, once as soon as the listener is
    subscribed, so a stream can tell its client "listening" without a race.
    With Redis down, subscribing waits until it is back.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    with _lock:
        listeners = _subscribers[channel].setdefault(loop, set())
        listeners.add(queue)
    hub = None
    timer = None

    def beat() -> None:
        nonlocal timer
        queue.put_nowait(None)
        timer = loop.call_later(heartbeat, beat)

    try:
        if settings.REDIS_URL:
            hub = _hubs.get(loop)
            if hub is None:
                hub = _hubs[loop] = _RedisHub()
            await hub.subscribe(channel)
        if heartbeat:
            timer = loop.call_later(heartbeat, beat)
        if ready:
            yield None
        while True:
            yield await queue.get()
    finally:
        if timer is not None:
            timer.cancel()
        with _lock:
            listeners.discard(queue)
            if not listeners and _subscribers[channel].get(loop) is listeners:
                del _subscribers[channel][loop]
                if not _subscribers[channel]:
                    del _subscribers[channel]
        if hub is not None:
            with contextlib.suppress(Exception):  # the connection may be gone at shutdown
                await hub.unsubscribe(channel)


def subscriber_count(channel: str) -> int:
    with _lock:
        return sum(len(qs) for qs in _subscribers.get(channel, {}).values())
