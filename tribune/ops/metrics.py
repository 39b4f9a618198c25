"""Prometheus metrics for the operator (``/metrics``), with ``prometheus_client``.

Measured in each web process: request latencies by route (the URL pattern, never
the path: paths carry member ids), requests inside Django, and the live
connections (assembly event streams and requests, counted at the ASGI door,
tribune/asgi.py). Read from
the database and the queue at each scrape, so every process reports the same:
ballots cast, task-queue depth and lag, the worker's last run, email failures (each
failed attempt) and the outbox's emails by status (failed, overdue).

With several web worker processes set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory (the systemd unit does): each process writes its figures there and a
scrape sums them (prometheus_client's multiprocess mode).
"""

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

REQUEST_LATENCY = Histogram(
    "tribune_http_request_duration_seconds",
    "Time to answer a request, by route pattern, method and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_PROGRESS = Gauge(
    "tribune_http_requests_in_progress",
    "Requests inside Django now (being answered by a thread).",
    multiprocess_mode="livesum",
)
OPEN_CONNECTIONS = Gauge(
    "tribune_http_connections_open",
    "Live HTTP connections at the ASGI door: assembly event streams, and requests "
    "waiting for or inside Django.",
    ["kind"],
    multiprocess_mode="livesum",
)
EMAIL_FAILURES = Counter(
    "tribune_email_failures",
    "Emails the mail server refused or that could not be handed to it.",
)
FEDERATION_FAILURES = Counter(
    "tribune_federation_delivery_failures",
    "Failed attempts to deliver an activity to another Tribune server (tribune/federation).",
)


class DatabaseCollector:
    """Figures every process agrees on, read at scrape time."""

    def collect(self):
        from tribune.elections.models import Ballot
        from tribune.ops import health

        ballots = CounterMetricFamily(
            "tribune_ballots_cast", "Ballots in the ballot boxes of every election."
        )
        ballots.add_metric([], Ballot.objects.count())
        yield ballots
        worker = health.worker_status()
        pending = GaugeMetricFamily(
            "tribune_task_queue_pending", "Tasks waiting in the queue for the task worker."
        )
        pending.add_metric([], worker["pending"] if worker["pending"] is not None else float("nan"))
        yield pending
        lag = GaugeMetricFamily(
            "tribune_task_queue_lag_seconds",
            "How late the worker's last scheduled run started (time from due to started).",
        )
        lag.add_metric([], worker["lag_seconds"] if worker["lag_seconds"] is not None else 0)
        yield lag
        age = GaugeMetricFamily(
            "tribune_task_worker_last_run_age_seconds",
            "Seconds since the task worker last ran its scheduled heartbeat.",
        )
        age.add_metric(
            [], worker["age_seconds"] if worker["age_seconds"] is not None else float("inf")
        )
        yield age
        from tribune.outbox import services as outbox

        mail = outbox.summary()
        emails = GaugeMetricFamily(
            "tribune_emails", "Outgoing emails in the outbox, by status.", labels=["status"]
        )
        for status in ("queued", "sent", "failed", "overdue"):
            emails.add_metric([status], mail[status])
        yield emails
        from tribune.federation import delivery

        sent = delivery.summary()
        deliveries = GaugeMetricFamily(
            "tribune_federation_deliveries",
            "Activities for other Tribune servers in the federation outbox, by status.",
            labels=["status"],
        )
        for status, count in sent.items():
            deliveries.add_metric([status], count)
        yield deliveries


def exposition() -> bytes:
    """The text a Prometheus scrape gets."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (
            REQUEST_LATENCY,
            IN_PROGRESS,
            OPEN_CONNECTIONS,
            EMAIL_FAILURES,
            FEDERATION_FAILURES,
        ):
            registry.register(metric)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
