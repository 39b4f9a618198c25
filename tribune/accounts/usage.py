"""When each personal API token was last used, written in batches.

Owners see the figure to spot a forgotten or stolen token; minute precision
serves that. Writing it on every call would add a write (on SQLite, an fsync)
to every API request — at a congress, one per ballot — so uses are gathered
per process and written by one UPDATE at most every FLUSH_SECONDS, by the
first API call after the interval: at once on a quiet server, in batches on a
busy one. Uses noted since the last write wait for the next call (or are lost
with the process): bookkeeping only, never anything a caller was told had
been done.
"""

import threading
import time

from django.utils import timezone

# A token used within this long of its recorded last use is not recorded again.
RESOLUTION_SECONDS = 60
FLUSH_SECONDS = 10.0

_lock = threading.Lock()
_pending: set[int] = set()
_flushed = [0.0]


def note_use(token) -> None:
    """Note that ``token`` (an ApiToken) is being used; write the pending uses when due."""
    now = timezone.now()
    seen = token.last_used_at
    if seen is not None and (now - seen).total_seconds() <= RESOLUTION_SECONDS:
        return
    with _lock:
        _pending.add(token.pk)
        if time.monotonic() - _flushed[0] < FLUSH_SECONDS:
            return
    flush()


def flush() -> None:
    """Write every pending use now, stamped with the current time."""
    from tribune.accounts.models import ApiToken

    with _lock:
        pending = list(_pending)
        _pending.clear()
        _flushed[0] = time.monotonic()
    if pending:
        ApiToken.objects.filter(pk__in=pending).update(last_used_at=timezone.now())
