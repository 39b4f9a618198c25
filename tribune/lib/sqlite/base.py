"""The pooled SQLite backend (see the package docstring for why)."""

import queue
import threading

from django.db.backends.sqlite3 import base, creation
from django.db.utils import OperationalError

POOL_SIZE = 8

_lock = threading.Lock()
_pools: dict[str, queue.LifoQueue] = {}
_writers: dict[str, threading.Lock] = {}


def _pool_for(name: str) -> queue.LifoQueue:
    with _lock:
        return _pools.setdefault(name, queue.LifoQueue(POOL_SIZE))


def _writer_for(name: str) -> threading.Lock:
    with _lock:
        return _writers.setdefault(name, threading.Lock())


class DatabaseCreation(creation.DatabaseCreation):
    """Test databases are files created and deleted by name: never hand out a stale one."""

    def _create_test_db(self, verbosity, autoclobber, keepdb=False):
        drop_pool(str(self._get_test_db_name()))
        return super()._create_test_db(verbosity, autoclobber, keepdb)

    def _destroy_test_db(self, test_database_name, verbosity):
        drop_pool(str(test_database_name))
        super()._destroy_test_db(test_database_name, verbosity)


class DatabaseWrapper(base.DatabaseWrapper):
    """Pooled connections; and write transactions of one process take turns in Python.

    SQLite lets one writer in at a time; a thread finding the file locked sleeps
    in SQLite's busy handler (up to 100 ms a time) and retries, so under a burst
    of writes — a hall voting — waits grow long and unfair. Threads of this
    process instead queue on a lock before BEGIN IMMEDIATE and are woken the
    moment the writer before them commits; other processes still meet at
    SQLite's own lock. The wait is bounded by the same timeout.
    """

    creation_class = DatabaseCreation
    _writing = None  # the process lock while this connection is in a write transaction

    def _pool(self) -> queue.LifoQueue | None:
        if self.is_in_memory_db():
            return None
        return _pool_for(str(self.settings_dict["NAME"]))

    def get_new_connection(self, conn_params):
        pool = self._pool()
        if pool is not None:
            try:
                return pool.get_nowait()
            except queue.Empty:
                pass
        return super().get_new_connection(conn_params)

    def _start_transaction_under_autocommit(self):
        writer = _writer_for(str(self.settings_dict["NAME"]))
        if not writer.acquire(timeout=self.settings_dict["OPTIONS"].get("timeout", 5)):
            # Django's own error, as when SQLite's lock times out: callers catch one kind.
            raise OperationalError("database is locked")
        self._writing = writer
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_writing()
            raise

    def _end_writing(self) -> None:
        writer, self._writing = self._writing, None
        if writer is not None:
            writer.release()

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._end_writing()

    def _rollback(self):
        try:
            super()._rollback()
        finally:
            self._end_writing()

    def _close(self):
        self._end_writing()  # closing mid-transaction rolls it back
        pool, connection = self._pool(), self.connection
        if pool is not None and connection is not None and not connection.in_transaction:
            try:
                pool.put_nowait(connection)
                return
            except queue.Full:
                pass
        super()._close()


def drop_pool(name: str) -> None:
    """Close the kept connections to ``name`` (before the file is deleted or replaced)."""
    with _lock:
        pool = _pools.pop(name, None)
    while pool is not None:
        try:
            pool.get_nowait().close()
        except queue.Empty:
            break
