"""Live events pushed to browsers (Server-Sent Events).

``publish`` is called by actions after their transaction commits; ``listen``
is an async iterator the SSE views consume. Delivery is in-process by
default (one server process: every subscriber lives in it) and goes through
Redis pub/sub when ``REDIS_URL`` is set, so several worker processes all see
every event. Events carry what changed, never secrets.
"""

import asyncio
import json
import threading
from collections import defaultdict
from collections.abc import AsyncIterator

from django.conf import settings
from django.db import transaction

_lock = threading.Lock()
_subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]]] = defaultdict(set)


def _deliver_locally(channel: str, message: str) -> None:
    with _lock:
        targets = list(_subscribers.get(channel, ()))
    for loop, queue in targets:
        loop.call_soon_threadsafe(queue.put_nowait, message)


def _send(channel: str, message: str) -> None:
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).publish(f"tribune:{channel}", message)
    else:
        _deliver_locally(channel, message)


def send_now(channel: str, event: str, data: dict) -> None:
    """Send ``event`` at once, outside any transaction (for coalesced, after-commit updates)."""
    _send(channel, json.dumps({"event": event, "data": data}, default=str))


def publish(channel: str, event: str, data: dict) -> None:
    """Send ``event`` to every listener of ``channel`` once the current transaction commits."""
    message = json.dumps({"event": event, "data": data}, default=str)
    transaction.on_commit(lambda: _send(channel, message))


async def listen(channel: str) -> AsyncIterator[str]:
    """Yield each message published on ``channel`` from now on."""
    if settings.REDIS_URL:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(settings.REDIS_URL)
        pubsub = client.pubsub()
        await pubsub.subscribe(f"tribune:{channel}")
        try:
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    yield item["data"].decode()
        finally:
            await pubsub.unsubscribe()
            await client.aclose()
        return
    entry = (asyncio.get_running_loop(), asyncio.Queue())
    with _lock:
        _subscribers[channel].add(entry)
    try:
        while True:
            yield await entry[1].get()
    finally:
        with _lock:
            _subscribers[channel].discard(entry)


def subscriber_count(channel: str) -> int:
    with _lock:
        return len(_subscribers.get(channel, ()))
