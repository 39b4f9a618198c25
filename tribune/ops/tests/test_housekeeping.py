"""The database cache's expired entries are deleted; live ones, and those kept for ever, stay."""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from tribune.ops.housekeeping import forget_expired_cache
from tribune.ops.tasks import forget_expired_cache as hourly_task


def keys() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM tribune_cache")
        return {row[0].split(":", 2)[-1] for row in cursor.fetchall()}


def test_expired_entries_go_and_the_others_stay(db):
    cache.set("window", 1, timeout=60)  # a rate-limit window: gone after its minute
    cache.set("figure", 2, timeout=3600)
    cache.set("version", 3, timeout=None)
    assert {"window", "figure", "version"} <= keys()
    assert forget_expired_cache() == 0  # nothing has expired yet
    later = timezone.now() + timedelta(minutes=2)
    assert forget_expired_cache(later) == 1
    assert "window" not in keys() and {"figure", "version"} <= keys()
    assert cache.get("figure") == 2 and cache.get("version") == 3


def test_the_worker_runs_it_every_hour(db):
    cache.set("old", 1, timeout=60)
    due = hourly_task.task_class().validate_datetime
    assert due(datetime(2026, 11, 30, 4, 23)) and due(datetime(2026, 11, 30, 17, 23))
    assert not due(datetime(2026, 11, 30, 4, 24))
    assert hourly_task.call_local() == 0  # the entry has a minute to live
    assert cache.get("old") == 1


def test_with_redis_there_is_nothing_to_do(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    assert forget_expired_cache(timezone.now() + timedelta(days=1)) == 0
