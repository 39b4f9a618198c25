"""Housekeeping of the database cache: its expired entries go every hour.

Django's database cache (the default without ``REDIS_URL``) deletes expired
entries only once the table is full (``MAX_ENTRIES``: 200,000 here, room for every
active rate-limit counter) and counts the whole table before every write. Left
alone, every rate-limit window and kept figure that ever expired would stay, each
write growing slower, until a full table made the cull drop live counters too.
Redis expires its keys itself: there is nothing to do there.
"""

from datetime import datetime

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone


def forget_expired_cache(now: datetime | None = None) -> int:
    """Delete the database cache's entries expired by ``now``; how many went."""
    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        return 0
    connection = connections[router.db_for_write(cache.cache_model_class)]
    table = connection.ops.quote_name(cache._table)
    moment = (now or timezone.now()).replace(microsecond=0)
    with connection.cursor() as cursor:
        # Names from settings, the moment a parameter: nothing here comes from input.
        cursor.execute(
            f"DELETE FROM {table} WHERE {connection.ops.quote_name('expires')} < %s",
            [connection.ops.adapt_datetimefield_value(moment)],
        )
        return cursor.rowcount
