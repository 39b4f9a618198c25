"""The live stream of an assembly: Server-Sent Events for every open browser.

Anyone who may see the assembly page may listen: events carry what the hall
sees, never a ballot. Events come from ``tribune.lib.events`` (in-process by
default, Redis when configured).

Under ASGI (``tribune serve``) the stream is answered by ``asgi_stream``,
straight from the ASGI layer (``tribune.asgi`` routes the path here), not by
Django's request cycle: Django runs every request's synchronous middleware in
a thread of its own and keeps that thread until the response ends, so 3,000
delegates with the page open would park 3,000 threads, and every other
request (a ballot) would be slower for it. Here a connection costs a socket
and a coroutine. The Django view ``stream`` serves the same events where
there is no ASGI server (the test client) and gives the URL its name.
"""

import asyncio
import re
import weakref
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.http import Http404, StreamingHttpResponse
from django.http.request import split_domain_port, validate_host

from tribune.lib import events

HEARTBEAT_SECONDS = 15
# Where no ASGI server answers (the test client, a WSGI server such as a test's
# live server), Django collects an asynchronous stream whole before it sends any
# of it: an endless stream would never be sent, and would keep its thread (and so
# the process) alive for ever. There the stream ends after this long and the
# browser's EventSource reconnects after ``retry``: a long poll.
WSGI_STREAM_SECONDS = 20
PATH = re.compile(r"/o/(?P<slug>[-a-zA-Z0-9_]+)/assemblies/(?P<pk>[0-9]+)/events/")
HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]

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


async def _messages(pk: int) -> AsyncIterator[str]:
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


async def _for_a_while(messages: AsyncIterator[str], seconds: float) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    try:
        while (remaining := end - loop.time()) > 0:
            try:
                yield await asyncio.wait_for(anext(messages), remaining)
            except (StopAsyncIteration, TimeoutError):
                return
    finally:
        await messages.aclose()


async def stream(request, slug: str, pk: int):
    if not await _exists(slug, pk):
        raise Http404
    response = StreamingHttpResponse(
        _for_a_while(_messages(pk), WSGI_STREAM_SECONDS), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def is_stream(scope) -> bool:
    return scope["type"] == "http" and PATH.fullmatch(scope["path"]) is not None


async def asgi_stream(scope, receive, send) -> None:
    """Serve ``PATH`` as an ASGI application (see the module docstring for why)."""
    match = PATH.fullmatch(scope["path"])
    host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
    if scope["method"] not in ("GET", "HEAD") or not validate_host(
        split_domain_port(host)[0], settings.ALLOWED_HOSTS
    ):
        return await _plain(send, 400, b"Bad request")
    if not await _exists(match["slug"], int(match["pk"])):
        return await _plain(send, 404, b"Not found")
    streaming = asyncio.current_task()
    hung_up = False

    async def watch() -> None:
        nonlocal hung_up
        while (await receive())["type"] != "http.disconnect":
            pass
        hung_up = True
        streaming.cancel()  # the server drops writes to a closed connection silently

    watcher = asyncio.create_task(watch())
    try:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        async for text in _messages(int(match["pk"])):
            await send({"type": "http.response.body", "body": text.encode(), "more_body": True})
    except asyncio.CancelledError:
        if not hung_up:
            raise
        streaming.uncancel()
    finally:
        watcher.cancel()


async def _plain(send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})
