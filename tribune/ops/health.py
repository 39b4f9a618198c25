"""What ``/healthz`` checks: the database, the task worker (and its queue), Redis when set.

It also reports failed and overdue outgoing emails (``mail``), without failing for them.

The task worker proves it is alive by a heartbeat task every minute (and one
when it starts) that writes when it ran and how late it started into the
cache, which every process shares (the database, or Redis). A scheduled
task's lateness is the queue's lag: how long due work waited for the worker.
"""

import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "tribune:ops:worker-heartbeat"


def beat(due: float | None = None) -> dict:
    """Record the worker's run now (``due``: when it was scheduled, for the lag)."""
    now = time.time()
    record = {"at": now, "lag": max(0.0, now - due) if due is not None else 0.0}
    cache.set(HEARTBEAT_KEY, record, timeout=None)
    return record


def worker_status() -> dict:
    record = cache.get(HEARTBEAT_KEY)
    try:
        from huey.contrib.djhuey import HUEY

        pending = HUEY.pending_count()
    except Exception:  # the queue's store is down: reported, never raised
        pending = None
    if not record:
        return {
            "ok": False,
            "last_run": None,
            "age_seconds": None,
            "lag_seconds": None,
            "pending": pending,
            "error": "the task worker has not run yet",
        }
    age = max(0.0, time.time() - record["at"])
    status = {
        "ok": age <= settings.TRIBUNE_HEALTH_WORKER_MAX_AGE and pending is not None,
        "last_run": datetime.fromtimestamp(record["at"], tz=UTC).isoformat(),
        "age_seconds": round(age, 1),
        "lag_seconds": round(record["lag"], 3),
        "pending": pending,
    }
    if age > settings.TRIBUNE_HEALTH_WORKER_MAX_AGE:
        status["error"] = f"the task worker has not run for {int(age)} seconds"
    elif pending is None:
        status["error"] = "the task queue cannot be read"
    return status


def database_status() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def redis_status() -> dict:
    import redis

    started = time.perf_counter()
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        client.ping()
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def mail_status() -> dict:
    """Failed and overdue emails, for the operator to see; never makes /healthz fail.

    Failed mail is a mail server's or an address's problem, not the web
    service's: a 503 would make a monitor or proxy take a working Tribune out
    of service. A queue nobody delivers already fails the task worker's check.
    """
    from tribune.outbox import services

    try:
        counts = services.summary()
    except Exception as error:  # the database check says why
        return {"ok": True, "error": type(error).__name__}
    return {"ok": True, "failed": counts["failed"], "overdue": counts["overdue"]}


def report() -> dict:
    checks = {"database": database_status()}
    if settings.REDIS_URL:
        checks["redis"] = redis_status()
    checks["tasks"] = worker_status()
    checks["mail"] = mail_status()
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}
