"""Rate limits that are atomic, honest about the wait, and leave no trace beside the box.

A fixed window: the first attempt by a subject opens a window of ``seconds``;
within it, ``attempts`` are allowed; every further one is refused with the
time left until that same window ends. A refused retry is counted but never
extends the window, so "wait N seconds" is true.

Why not Django's cache (which held the vote limit before): with no Redis the
cache is a table in the database that also holds the ballot box, so it kept a
row per voter (``tribune:vote-rate:<member id>``) with an expiry a minute after
each cast — the casting order, by name, next to ballots stored in casting
order. And its ``add`` + ``incr`` was not atomic across threads, while each
``set`` on a miss pushed the expiry on. This module writes nothing to the
database, ever.

Two stores, chosen by ``settings.REDIS_URL``:

* **Redis**: one Lua script increments the counter and, on the first attempt
  of a window, sets its expiry, then returns the count and the time left —
  atomic across every worker process. The key is an HMAC (keyed by
  ``SECRET_KEY``, salted per purpose) of the subject, so Redis holds no member
  ids; an entry vanishes with its window. If Redis cannot be reached, the
  process falls back to its own store for that attempt (logged): a limit
  against hammering must not stop a vote.
* **In process** otherwise: a dict behind a lock. Each worker process keeps
  its own counters, so with W processes a subject may make up to W x
  ``attempts`` per window. That is acceptable for what the limit is for
  (stopping a script hammering the server); the rules that matter — one
  ballot per voter — are enforced by the database, not here.
"""

import functools
import logging
import math
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

# INCR and, on a window's first attempt, PEXPIRE — in one atomic step. A key found
# without an expiry (it cannot happen through this script) is given one, never kept for ever.
_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {n, left}
"""

# The in-process store drops ended windows at most this often (seconds), so memory
# follows the subjects active in a window and a hit costs O(1) between sweeps.
_SWEEP_EVERY = 60.0


class _LocalStore:
    """subject key → [window end (monotonic seconds), attempts], behind one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, list] = {}
        self._next_sweep = 0.0

    def hit(self, key: str, seconds: int) -> tuple[int, float]:
        now = time.monotonic()
        with self._lock:
            if now >= self._next_sweep:
                self._windows = {k: w for k, w in self._windows.items() if w[0] > now}
                self._next_sweep = now + _SWEEP_EVERY
            window = self._windows.get(key)
            if window is None or window[0] <= now:
                window = self._windows[key] = [now + seconds, 0]
            window[1] += 1
            return window[1], window[0] - now

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()
            self._next_sweep = 0.0


_local = _LocalStore()


@functools.cache
def _redis(url: str) -> tuple[redis.Redis, object]:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    return client, client.register_script(_SCRIPT)


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` per subject in a fixed window of ``seconds``, for one purpose."""

    purpose: str
    attempts: int
    seconds: int

    def _key(self, subject: object) -> str:
        digest = salted_hmac(f"tribune.ratelimit.{self.purpose}", str(subject), algorithm="sha256")
        return f"tribune:rl:{self.purpose}:{digest.hexdigest()}"

    def hit(self, subject: object) -> int:
        """Count one attempt by ``subject``; 0 if allowed, else the whole seconds to wait."""
        key = self._key(subject)
        count, left = None, 0.0
        if settings.REDIS_URL:
            try:
                _client, script = _redis(settings.REDIS_URL)
                count, left_ms = script(keys=[key], args=[self.seconds * 1000])
                left = int(left_ms) / 1000
            except redis.RedisError as exc:
                logger.warning("Rate limit %s kept in process, Redis failed: %s", self.purpose, exc)
                count = None
        if count is None:
            count, left = _local.hit(key, self.seconds)
        if int(count) <= self.attempts:
            return 0
        return max(1, math.ceil(left))


def reset_local() -> None:
    """Forget every in-process window (tests start each from a clean slate)."""
    _local.clear()
