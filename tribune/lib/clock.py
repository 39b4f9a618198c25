"""The periodic clock's one rule for failures: each item alone.

The clock (elections advanced, petitions lapsed, elections called by rule,
factions checked against the threshold) walks every organisation on the
server. One item that cannot be processed — a row written by older code, a
bug met by one election only — must not stop the others: every item is
handled in its own transaction (a savepoint when the caller already holds
one), and an item that fails is rolled back, logged with its traceback and
skipped, so the next tick tries it again and everything else keeps moving.
"""

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import transaction

logger = logging.getLogger("tribune.clock")

T = TypeVar("T")


def each_alone(items: Iterable[T], step: Callable[[T], object], *, what: str) -> list[object]:
    """Run ``step`` on every item, each in its own transaction; return the steps' results.

    A step that raises is rolled back and logged (``logger.exception``) and
    contributes no result; the loop goes on with the next item.
    """
    results = []
    for item in items:
        try:
            with transaction.atomic():
                results.append(step(item))
        except Exception:
            logger.exception("The clock skipped %s %s: it failed", what, getattr(item, "pk", item))
    return results
