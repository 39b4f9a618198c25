"""One JSON line per request, and the request metrics (tribune/ops/metrics.py).

A line holds what an operator needs to see load and failures, and nothing that
names or locates a person::

    {"event": "request", "method": "GET", "route": "o/<slug:slug>/members/<id:member_id>/",
     "status": 200, "ms": 12.4, "bytes": 5120}

The *route pattern* is logged, never the path or the query: paths carry member,
ballot and petition ids, and queries carry search words (names, addresses).
No user, session, member id, IP address or user agent is logged; the proxy in
front keeps the access log with addresses, for as long as the operator decides
(docs/deploy.md, "Logs").
"""

import json
import logging
import time

from django.conf import settings
from django.utils.deprecation import MiddlewareMixin

from tribune.ops import metrics

logger = logging.getLogger("tribune.requests")


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unmatched"


class RequestLogMiddleware(MiddlewareMixin):
    def process_request(self, request):
        request._tribune_started = time.perf_counter()
        metrics.IN_PROGRESS.inc()

    def process_response(self, request, response):
        started = getattr(request, "_tribune_started", None)
        if started is None:
            return response
        del request._tribune_started
        metrics.IN_PROGRESS.dec()
        elapsed = time.perf_counter() - started
        route = route_of(request)
        metrics.REQUEST_LATENCY.labels(request.method, route, str(response.status_code)).observe(
            elapsed
        )
        if settings.TRIBUNE_REQUEST_LOG:
            line = {
                "event": "request",
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "ms": round(elapsed * 1000, 1),
            }
            if not getattr(response, "streaming", False):
                line["bytes"] = len(response.content)
            logger.info(json.dumps(line, separators=(",", ":")))
        return response
