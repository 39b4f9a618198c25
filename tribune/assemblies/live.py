"""The live stream of an assembly: Server-Sent Events for every open browser.

An async view, so thousands of delegates can hold a connection open on one
server process without a thread each. Events come from ``tribune.lib.events``
(in-process by default, Redis when configured). Anyone who may see the
assembly page may listen: events carry what the hall sees, never a ballot.
"""

import asyncio
import weakref

from asgiref.sync import sync_to_async
from django.db import connections
from django.http import Http404, StreamingHttpResponse

from tribune.lib import events

HEARTBEAT_SECONDS = 15


# Assemblies known to exist, per process: a hall of thousands connecting at once
# (or reconnecting after a blip) costs one query, not one database connection each.
_known: set[tuple[str, int]] = set()
_checks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = (
    weakref.WeakKeyDictionary()
)


async def _exists(slug: str, pk: int) -> bool:
    from tribune.assemblies.models import Assembly

    if (slug, pk) in _known:
        return True
    lock = _checks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:  # one check at a time: the others then find the answer known
        if (slug, pk) in _known:
            return True
        exists = await Assembly.objects.filter(pk=pk, organisation__slug=slug).aexists()
        # Hand the database connection back now, not when the stream ends: with
        # thousands of open streams, PostgreSQL would otherwise run out of connections.
        await sync_to_async(connections.close_all)()
    if exists:
        if len(_known) > 10_000:
            _known.clear()
        _known.add((slug, pk))
    return exists


async def stream(request, slug: str, pk: int):
    if not await _exists(slug, pk):
        raise Http404

    async def messages():
        # Awaited directly (no task per message): with thousands of connections the
        # cost of each delivery is what bounds how fast a result reaches the hall.
        listener = events.listen(f"assembly-{pk}", heartbeat=HEARTBEAT_SECONDS, ready=True)
        try:
            # The first message comes once subscribed: a client that has read it misses nothing.
            await listener.__anext__()
            yield "retry: 2000\n\n"
            async for message in listener:
                yield ": keep-alive\n\n" if message is None else f"data: {message}\n\n"
        finally:
            await listener.aclose()

    response = StreamingHttpResponse(messages(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
