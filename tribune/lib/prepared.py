"""Queries whose SQL is built once per process and run again with other values.

The ORM builds a query's SQL anew each time it runs: resolving lookups, joins,
annotations and subqueries costs more CPU than SQLite takes to run the query
(profile of a cast in docs/benchmarks.md: building SQL was the largest part of
a ballot's server time). For the few statements every ballot runs, a
``Prepared`` query is built by the ORM once — from the same queryset code, so it
means exactly what the ORM means — with stand-in values for its arguments; its
SQL is kept, and each call runs it with the real values and the ORM's own
converters for the columns it reads.

Only for ``values_list`` querysets whose arguments reach the database unchanged
(ids, strings): the stand-ins must appear as themselves among the SQL's
parameters, which ``Prepared`` checks when it builds.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Stand-ins for arguments: values no caller passes, each found once among the parameters.
_STAND_INS = {int: lambda i: -7_000_000_000_001 - i, str: lambda i: f"\x00prepared-{i}\x00"}


class Prepared:
    """``build(*args)`` (a ``values_list`` queryset) compiled once per database; call to run it."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type, using: str = "default"):
        self.build, self.kinds, self.using = build, kinds, using
        self._compiled: dict[str, tuple[str, list, list, list]] = {}
        self._lock = threading.Lock()

    def _compile(self, vendor: str) -> tuple[str, list, list, list]:
        stand_ins = [_STAND_INS[kind](i) for i, kind in enumerate(self.kinds)]
        compiler = self.build(*stand_ins).query.get_compiler(self.using)
        sql, params = compiler.as_sql()
        slots = []
        for param in params:
            found = [i for i, value in enumerate(stand_ins) if value == param]
            slots.append(found[0] if found else None)
        if sorted(s for s in slots if s is not None) != list(range(len(stand_ins))):
            raise ValueError("each argument must reach the SQL once, unchanged")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        compiled = (sql, list(params), slots, [compiler, converters])
        with self._lock:
            self._compiled[vendor] = compiled
        return compiled

    def __call__(self, *args: Any) -> list[tuple]:
        """The rows, as ``build(*args)`` would give them."""
        connection = connections[self.using]
        compiled = self._compiled.get(connection.vendor) or self._compile(connection.vendor)
        sql, constants, slots, (compiler, converters) = compiled
        params = [constants[i] if slot is None else args[slot] for i, slot in enumerate(slots)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows


class PreparedFirst(Prepared):
    """The first row of ``build(*args)`` as an instance of ``model`` (every concrete field read)."""

    def __init__(self, model, build: Callable[..., QuerySet], *kinds: type, using: str = "default"):
        self.model = model
        self.names = [field.attname for field in model._meta.concrete_fields]
        super().__init__(lambda *a: build(*a).values_list(*self.names)[:1], *kinds, using=using)

    def first(self, *args: Any):
        """The instance, as ``build(*args).first()`` would give it; None if there is none."""
        rows = self(*args)
        return self.model.from_db(self.using, self.names, rows[0]) if rows else None
