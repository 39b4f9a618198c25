"""The ASGI application: Django, with assemblies' event streams answered beside it.

Event streams are routed before Django's request cycle (``tribune.assemblies.live``
says why); everything else is Django's.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
django_application = get_asgi_application()

from tribune.assemblies import live  # noqa: E402  (needs Django set up)


async def application(scope, receive, send):
    if live.is_stream(scope):
        return await live.asgi_stream(scope, receive, send)
    return await django_application(scope, receive, send)
