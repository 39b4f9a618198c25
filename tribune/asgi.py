"""The ASGI application: Django, with assemblies' event streams and token casts beside it.

Event streams are routed before Django's request cycle (``tribune.assemblies.live``
says why), and so are ballots sent with a personal token (``tribune.api.castpath``:
the lean cast path, which hands Django whatever it does not recognise). Other
requests (casts too) enter Django at most ``WEB_IN_FLIGHT`` at a time per event
loop (8 by default; 0 for no limit); the rest wait their turn in the loop.
Django runs each request's synchronous code in a thread of its own: in a burst
(a hall voting within seconds) dozens of threads would otherwise run at once,
contending for one interpreter lock and one database write lock and each
losing its turn while holding the other. Waiting in the loop costs nothing;
measured with 3,000 streams open and 64 ballots in flight, server CPU per
ballot fell from 15-17 ms to 12-13 ms (docs/benchmarks.md).
"""

import asyncio
import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
django_application = get_asgi_application()

from tribune.api import castpath  # noqa: E402  (needs Django set up)
from tribune.assemblies import live  # noqa: E402
from tribune.ops.metrics import OPEN_CONNECTIONS  # noqa: E402

IN_FLIGHT = int(os.environ.get("WEB_IN_FLIGHT", "8"))
_gates: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

# What is loaded by now (Django, the apps, their modules: some 190,000 objects)
# lives as long as the process, so it is taken out of the cycle collector's
# sight: every full collection walked it all, a pause of 100–200 ms on a small
# server for whichever request set it off (bench/pages.py, API thread detail:
# p50 92 ms, p95 450 ms). The collector still frees what requests leave behind.
gc.freeze()


async def application(scope, receive, send):
    if scope["type"] != "http":
        return await _answer(scope, receive, send)
    # Live connections, for /metrics: event streams, and requests waiting or being answered.
    open_now = OPEN_CONNECTIONS.labels("stream" if live.is_stream(scope) else "request")
    open_now.inc()
    try:
        return await _answer(scope, receive, send)
    finally:
        open_now.dec()


async def _answer(scope, receive, send):
    if live.is_stream(scope):
        return await live.asgi_stream(scope, receive, send)
    cast = castpath.match(scope)
    if cast is not None:
        # Casts wait in the cast path's own queue (a few threads read, one commits a
        # group at a time), not at the gate: only what it hands to Django goes through it.
        return await castpath.asgi_cast(scope, receive, send, *cast, _gated_django)
    return await _gated_django(scope, receive, send)


async def _gated_django(scope, receive, send) -> None:
    if IN_FLIGHT <= 0 or scope["type"] != "http":
        return await django_application(scope, receive, send)
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(IN_FLIGHT)
    async with gate:
        return await django_application(scope, receive, send)
