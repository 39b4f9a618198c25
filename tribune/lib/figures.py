"""An organisation's counted figures (charts, dashboards), cached until what they count changes.

The membership chart and the education spread count over every member: at
100,000 members a count takes 100–300 ms, and the figures change a few times a
day. So a figure is cached under the organisation's *version*, a random token
that every change to what is counted replaces (``changed``: the apps connect
their models' saves to it, and bulk writes such as a CSV import call it). A
reader reads the version first, then computes and stores under it; a change
committing meanwhile replaces the version, so a figure read from before the
change is stored under a dead version, never served. A figure is kept under
one key with the version beside it, each count replacing the last, so the cache
holds one entry per figure however often the organisation changes (the
database cache deletes expired entries only when it is full).

``changed`` replaces the version at once and again after the commit. At once:
with the database cache the new version commits with the change (one
transaction), and a test's change is seen without a commit. After the commit:
with Redis, a reader between the first replacement and the commit could store
the old figures under the new version.

Many changes at once (a chunk of a CSV import, each row a member's save) run
inside ``changing``: their hooks renew nothing and the version is renewed once,
after them, so a chunk costs one cache write rather than two per row.

Anything that changes counted rows without a hook (a script's raw ``update``)
is seen when the figure expires (``TIMEOUT``).
"""

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

TIMEOUT = 10 * 60  # seconds a figure is kept at most

# The organisations whose changes are being made inside ``changing`` (this thread only).
_held: ContextVar[frozenset[int]] = ContextVar("figures_held", default=frozenset())


def _version_key(organisation_id: int) -> str:
    return f"figures:version:{organisation_id}"


def _renew(organisation_id: int) -> None:
    cache.set(_version_key(organisation_id), secrets.token_hex(8), timeout=None)


def changed(organisation_id: int) -> None:
    """What the organisation's figures count has changed: forget them all."""
    if organisation_id in _held.get():
        return  # ``changing`` renews once, when its changes are done
    _renew(organisation_id)
    transaction.on_commit(lambda: _renew(organisation_id))


@contextmanager
def changing(organisation_id: int) -> Iterator[None]:
    """Make many changes to what is counted, then forget the figures once.

    The hold ends however the block ends; when it raises, nothing is renewed, as
    its transaction does not commit either.
    """
    token = _held.set(_held.get() | {organisation_id})
    try:
        yield
    finally:
        _held.reset(token)
    changed(organisation_id)


def cached(organisation_id: int, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its value kept since the organisation's figures last changed."""
    version_key = _version_key(organisation_id)
    version = cache.get(version_key)
    if version is None:
        version = secrets.token_hex(8)
        if not cache.add(version_key, version, timeout=None):
            version = cache.get(version_key)
    key = f"figures:{organisation_id}:{name}"
    kept = cache.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    value = compute()
    cache.set(key, (version, value), timeout=TIMEOUT)
    return value
