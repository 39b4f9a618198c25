"""The live stream of an assembly: Server-Sent Events for every open browser.

An async view, so thousands of delegates can hold a connection open on one
server process without a thread each. Events come from ``tribune.lib.events``
(in-process by default, Redis when configured). Anyone who may see the
assembly page may listen: events carry what the hall sees, never a ballot.
"""

import asyncio
import contextlib

from django.http import Http404, StreamingHttpResponse

from tribune.lib import events

HEARTBEAT_SECONDS = 15


async def stream(request, slug: str, pk: int):
    from tribune.assemblies.models import Assembly

    exists = await Assembly.objects.filter(pk=pk, organisation__slug=slug).aexists()
    if not exists:
        raise Http404

    async def messages():
        yield "retry: 2000\n\n"
        listener = events.listen(f"assembly-{pk}")
        pending = asyncio.ensure_future(listener.__anext__())
        try:
            while True:
                done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_SECONDS)
                if not done:
                    yield ": keep-alive\n\n"
                    continue
                message = pending.result()
                pending = asyncio.ensure_future(listener.__anext__())
                yield f"data: {message}\n\n"
        finally:
            # Let the cancelled read finish first: closing the listener while its
            # __anext__ is still running raises "asynchronous generator is already running".
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
            await listener.aclose()

    response = StreamingHttpResponse(messages(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
