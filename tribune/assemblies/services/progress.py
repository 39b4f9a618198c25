"""Coalesced live pushes: "n have voted", "n are present".

Separate because both the cast path and attendance (``sessions``) push through it,
with its own timers and per-process state.
"""

import threading
import time
from collections.abc import Callable

from django.db import connections

from tribune.lib import events

# How often, at most, a vote's progress is pushed to browsers (per server process),
# and how many deliveries a second a process spends on it: with 3,000 phones on one
# process, one event every 3 seconds. Progress is a courtesy; the result is not.
PROGRESS_SECONDS = 1.0
PROGRESS_DELIVERIES_PER_SECOND = 1000
_progress_lock = threading.Lock()
_progress: dict[int, dict] = {}


def _push_progress(chan: str, vote_pk: int, count: Callable[[], int]) -> None:
    """Push "n have voted", coalesced: at most one event per PROGRESS_SECONDS, the last always.

    With thousands of delegates connected, one event per ballot would fan out into
    millions of writes during a vote (3,000 ballots x 3,000 connections); a timer
    sends the latest count once the interval is over, so the final figure still
    arrives. The interval grows with the connections this process serves (with
    several processes, each judges by its own). ``count`` is called only when an
    event is due, not on every cast.
    """
    push_coalesced(chan, vote_pk, "vote_progress", lambda: {"vote": vote_pk, "cast": count()})


def push_coalesced(chan: str, key, event: str, payload: Callable[[], dict]) -> None:
    """Send ``event`` at most once per interval per ``key``, the latest ``payload`` always.

    For figures that change with every one of thousands of acts (ballots cast,
    delegates checking in at the door): see ``_push_progress``.
    """
    interval = max(PROGRESS_SECONDS, events.subscriber_count(chan) / PROGRESS_DELIVERIES_PER_SECOND)
    now = time.monotonic()
    with _progress_lock:
        state = _progress.setdefault(key, {"sent": 0.0, "timer": None})
        state["payload"], state["event"] = payload, event  # the timer reads the latest
        wait = state["sent"] + interval - now
        if wait > 0 or state["timer"] is not None:
            if state["timer"] is None:
                timer = threading.Timer(wait, _flush_progress, args=(chan, key))
                timer.daemon = True
                state["timer"] = timer
                timer.start()
            return
        state["sent"] = now
    events.send_now(chan, event, payload())


def _flush_progress(chan: str, key) -> None:
    with _progress_lock:
        state = _progress[key]
        state["timer"], state["sent"] = None, time.monotonic()
        payload, event = state["payload"], state["event"]
    try:
        events.send_now(chan, event, payload())
    finally:
        connections.close_all()  # the timer thread's own connection, if it opened one
