"""``/healthz`` for the proxy and monitors, ``/metrics`` for the operator's Prometheus."""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tribune.ops import health, metrics


@never_cache
@require_GET
def healthz(request):
    """200 when the database, the task worker and (if set) Redis all answer; 503 otherwise.

    Says which part failed and how, never anything about the organisations.
    """
    report = health.report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@never_cache
@require_GET
def metrics_view(request):
    """Prometheus text, for whoever holds TRIBUNE_METRICS_TOKEN (no token set: no endpoint)."""
    token = settings.TRIBUNE_METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off: set TRIBUNE_METRICS_TOKEN.")
    sent = request.headers.get("Authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        response = JsonResponse({"detail": "A valid metrics token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    from prometheus_client import CONTENT_TYPE_LATEST

    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
