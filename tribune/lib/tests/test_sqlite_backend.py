"""The SQLite backend: connections kept between threads, writers of a process taking turns.

Runs on its own SQLite file whichever database the suite uses, through a
connection handler of its own, as Django's would (one connection per thread).
"""

import threading
import time

import pytest
from django.db.utils import ConnectionHandler, OperationalError


@pytest.fixture
def connections(tmp_path, django_db_blocker):
    """Our own database file: pytest-django's blocker guards the suite's, not this one."""
    with django_db_blocker.unblock():
        yield from _handler(tmp_path)


def _handler(tmp_path):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "tribune.lib.sqlite",
                "NAME": str(tmp_path / "backend.sqlite3"),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 5},
            }
        }
    )
    with handler["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE note (text TEXT)")
    handler["default"].close()
    yield handler
    handler.close_all()


def _in_thread(connections, work) -> dict:
    """Run ``work(connection)`` in a new thread, with that thread's connection."""
    result: dict = {}

    def run():
        db = connections["default"]
        try:
            result["value"] = work(db)
        except BaseException as failure:  # noqa: BLE001 — handed to the test to assert on
            result["error"] = failure
        finally:
            db.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return result


def _write(db, text: str, *, hold=None, fail: bool = False) -> None:
    """One write transaction, as ``transaction.atomic`` opens and ends it."""
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        with db.cursor() as cursor:
            cursor.execute("INSERT INTO note VALUES (%s)", [text])
        if hold is not None:
            hold()
        if fail:
            raise RuntimeError("changed my mind")
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.set_autocommit(True)


def _notes(connections) -> list[str]:
    return _in_thread(
        connections, lambda db: [r[0] for r in db.cursor().execute("SELECT text FROM note")]
    )["value"]


def test_a_closed_connection_is_handed_to_the_next_thread(connections):
    def use(db):
        db.cursor().execute("SELECT 1")
        return id(db.connection)

    first = _in_thread(connections, use)["value"]
    assert _in_thread(connections, use)["value"] == first  # the same sqlite3 connection


def test_writers_take_turns_and_a_rolled_back_writer_lets_the_next_in(connections):
    inside, go_on, order = threading.Event(), threading.Event(), []

    def held():
        inside.set()
        go_on.wait(10)
        order.append("first commits")

    def second(db):
        order.append("second begins")  # after this, it waits for its turn at BEGIN
        _write(db, "second")
        order.append("second wrote")

    first = threading.Thread(
        target=_in_thread, args=(connections, lambda db: _write(db, "first", hold=held))
    )
    first.start()
    assert inside.wait(10)
    waiting = threading.Thread(target=_in_thread, args=(connections, second))
    waiting.start()
    time.sleep(0.3)
    assert order == ["second begins"]  # queued, not writing
    go_on.set()
    first.join(30)
    waiting.join(30)
    assert order == ["second begins", "first commits", "second wrote"]

    rolled_back, done = threading.Event(), threading.Event()

    def fails_then_stays(db):
        with pytest.raises(RuntimeError):
            _write(db, "third", fail=True)
        rolled_back.set()  # the connection stays open, as a request goes on after a refusal
        done.wait(10)

    failing = threading.Thread(target=_in_thread, args=(connections, fails_then_stays))
    failing.start()
    assert rolled_back.wait(10)
    start = time.monotonic()
    assert "error" not in _in_thread(connections, lambda db: _write(db, "fourth"))
    assert time.monotonic() - start < 2  # the rollback gave up the turn at once
    done.set()
    failing.join(30)
    assert sorted(_notes(connections)) == ["first", "fourth", "second"]


def test_a_writer_waiting_longer_than_the_timeout_is_told_the_database_is_locked(connections):
    connections.settings["default"]["OPTIONS"]["timeout"] = 0.2
    inside, go_on = threading.Event(), threading.Event()

    def held():
        inside.set()
        go_on.wait(10)

    holder = threading.Thread(
        target=_in_thread, args=(connections, lambda db: _write(db, "first", hold=held))
    )
    holder.start()
    assert inside.wait(10)
    refused = _in_thread(connections, lambda db: _write(db, "second"))
    go_on.set()
    holder.join(30)
    assert isinstance(refused["error"], OperationalError)
    assert "database is locked" in str(refused["error"])
    assert _notes(connections) == ["first"]
