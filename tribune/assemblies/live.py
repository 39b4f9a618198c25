"""The live stream of an assembly: Server-Sent Events for every open browser.

An async view, so thousands of delegates can hold a connection open on one
server process without a thread each. Events come from ``tribune.lib.events``
(in-process by default, Redis when configured). Anyone who may see the
assembly page may listen: events carry what the hall sees, never a ballot.
"""

from django.http import Http404, StreamingHttpResponse

from tribune.lib import events

HEARTBEAT_SECONDS = 15


async def stream(request, slug: str, pk: int):
    from tribune.assemblies.models import Assembly

    exists = await Assembly.objects.filter(pk=pk, organisation__slug=slug).aexists()
    if not exists:
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
