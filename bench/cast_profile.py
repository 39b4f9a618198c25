"""Benchmark: where a cast's server CPU goes, measured in one process without HTTP.

Usage: python bench/cast_profile.py [--kind live|ballot] [--voters 1000] [--profile N]
                                    [--database-url postgres://user@host:5432/postgres]

Seeds a throw-away database (SQLite in a temp dir; with ``--database-url``, an
admin URL, the database ``tribune_bench_profile``, dropped after) exactly as
bench/congress_vote.py (``--kind live``: a congress with a vote open) or
bench/cast_votes.py (``--kind ballot``: an election open to vote) do, then
sends every voter's cast, one after another, through the ASGI application the
server runs (``tribune.asgi.application``), in process: the whole request —
middleware, routing, authentication, the cast itself — minus uvicorn's socket
and HTTP parsing. Prints the CPU time per cast (this process, all threads) and
checks that each cast was acknowledged and counted once.

``--profile N`` prints the N most expensive functions (cumulative and own time)
from cProfile; the request's synchronous part runs in a worker thread, which is
profiled too (``threading.setprofile`` is not enough for cProfile, so the
harness enables a profiler in that thread itself).
"""

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import shutil
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine  # noqa: E402  (bench/ is the script's folder)


async def call(app, method: str, path: str, token: str, body: dict) -> tuple[int, dict]:
    data = json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    answer: dict = {"status": 0, "body": b""}

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": data, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], json.loads(answer["body"] or b"null")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=["live", "ballot"], default="live")
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--database-url", default="", help="PostgreSQL admin URL")
    parser.add_argument(
        "--database-name", default="tribune_bench_profile", help="throw-away PG database"
    )
    parser.add_argument(
        "--close", action="store_true", help="(live) then time the chair's close, profiled"
    )
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="tribune-bench-profile-")
    os.environ["TRIBUNE_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tribune.settings"
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        if args.database_url:
            from tribune.elections.loadtest import throwaway_postgres

            url = throwaway_postgres(args.database_url, args.database_name)
            os.environ["DATABASE_URL"] = stack.enter_context(url)
        return run(args)


def run(args) -> int:
    if args.kind == "live":
        from tribune.assemblies import loadtest

        seed = loadtest.seed(args.voters)
    else:
        from tribune.elections import loadtest

        seed = loadtest.seed(args.voters)
    from django.db import close_old_connections, connection

    from tribune.asgi import application
    from tribune.elections.models import Ballot, VoterRoll

    if args.kind == "live":
        from tribune.assemblies import services
        from tribune.assemblies.models import Assembly, Motion
        from tribune.members.models import Member

        assembly = Assembly.objects.get(pk=seed["assembly"])
        chair = Member.objects.get(organisation=assembly.organisation, user__username="chair")
        vote = services.open_vote(chair, assembly, motion=Motion.objects.get(pk=seed["motion"]))
        election_id = vote.election_id
        path = f"{loadtest.base(seed)}/votes/{vote.pk}/ballots"
        choices = ["yes", "no", "abstain"]
        expected = {"ballots": 1}
    else:
        election_id = seed["election"]
        path = f"/api/v1/organisations/{seed['slug']}/elections/{election_id}/ballots"
        candidates = seed["candidates"]
        choices = [candidates, candidates[::-1], candidates[1:]]
        expected = None
    close_old_connections()
    connection.close()  # the server starts with no connection of this thread's

    profiler = cProfile.Profile() if args.profile else None
    profiled_threads: set[int] = set()
    original = threading.Thread.run

    if profiler is not None:
        # Requests run their synchronous part in a worker thread: profile there too.
        stats = []

        def run_profiled(thread):
            thread_profiler = cProfile.Profile()
            stats.append(thread_profiler)
            profiled_threads.add(thread.ident)
            thread_profiler.enable()
            try:
                original(thread)
            finally:
                thread_profiler.disable()

        threading.Thread.run = run_profiled

    trips = count_round_trips()
    tokens = seed["tokens"]
    warm = min(20, len(tokens) // 10)  # the first casts pay for imports and caches: not timed
    timing: dict[str, float] = {}

    async def cast_all() -> list[tuple[int, dict]]:
        answers = []
        for i, token in enumerate(tokens):
            if i == warm:
                timing["cpu"], timing["wall"] = time.process_time(), time.perf_counter()
                trips.clear()
                if profiler is not None:
                    profiler.enable()
            answers.append(await call(application, "POST", path, token, {"choice": choices[i % 3]}))
        if profiler is not None:
            profiler.disable()
        timing["cpu"] = time.process_time() - timing["cpu"]
        timing["trips"] = dict(trips)
        timing["wall"] = time.perf_counter() - timing["wall"]
        return answers

    answers = asyncio.run(cast_all())
    threading.Thread.run = original
    cpu, wall = timing["cpu"], timing["wall"]
    refused = [a for a in answers if a[0] != 201 or (expected and a[1] != expected)]
    ballots = Ballot.objects.filter(election_id=election_id).count()
    voted = VoterRoll.objects.filter(election_id=election_id, voted=True).count()
    n = len(tokens)
    timed = n - warm
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}; kind: {args.kind}; voters: {n:,}")
    print(
        f"{timed:,} casts (after {warm} not timed) in {wall:.2f} s: "
        f"{cpu / timed * 1000:.2f} ms CPU and {wall / timed * 1000:.2f} ms wall per cast "
        f"({timed / wall:,.0f}/s one at a time)" + ("; profiled, so slower" if profiler else "")
    )
    by_thread = ", ".join(
        f"{name} {count / timed:.2f}" for name, count in sorted(timing["trips"].items())
    )
    print(f"round trips per cast (statements and commits, by thread): {by_thread}")
    print(f"acknowledged {n - len(refused):,}; box {ballots:,}; roll marks {voted:,}")
    if refused:
        print(f"refused: {refused[:3]}")
    if profiler is not None:
        summary = pstats.Stats(profiler)
        for thread_profiler in stats:
            summary.add(thread_profiler)
        summary.strip_dirs()
        summary.sort_stats("cumulative").print_stats(args.profile)
        summary.sort_stats("tottime").print_stats(args.profile)
    ok = not refused and ballots == voted == n
    if args.close and args.kind == "live":
        ok = time_close(chair, vote, args.profile) and ok
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


def count_round_trips() -> dict[str, int]:
    """Count every statement sent to the database and every commit, by thread ("cast-commit":
    the group commit's one thread; "cast": the cast reads) — a round trip each on PostgreSQL."""
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.utils import CursorWrapper

    counts: dict[str, int] = {}
    lock = threading.Lock()

    def note() -> None:
        name = threading.current_thread().name
        name = "cast-commit" if name == "cast-commit" else name.split("_")[0]
        with lock:
            counts[name] = counts.get(name, 0) + 1

    def counting(method):
        def counted(*args, **kwargs):
            note()
            return method(*args, **kwargs)

        return counted

    CursorWrapper._execute = counting(CursorWrapper._execute)
    CursorWrapper._executemany = counting(CursorWrapper._executemany)
    BaseDatabaseWrapper._commit = counting(BaseDatabaseWrapper._commit)
    return counts


def time_close(chair, vote, top: int) -> bool:
    """Time the chair's close (the vote counted, its result published), profiled if ``top``."""
    from tribune.assemblies import services
    from tribune.lib import events

    published: dict[str, float] = {}
    send = events._send

    def timed_send(channel: str, message: str) -> None:
        if '"vote_closed"' in message:
            published["at"] = time.perf_counter()
        send(channel, message)

    events._send = timed_send
    profiler = cProfile.Profile() if top else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    closed = services.close_vote(chair, vote)
    if profiler is not None:
        profiler.disable()
    done = time.perf_counter()
    events._send = send
    to_event = (published.get("at", done) - started) * 1000
    print(
        f"close: vote_closed published {to_event:.0f} ms after the call, "
        f"the call returned after {(done - started) * 1000:.0f} ms; "
        f"outcome {closed.election.result and services.vote_counts(closed.election)}"
    )
    if profiler is not None:
        summary = pstats.Stats(profiler)
        summary.strip_dirs()
        summary.sort_stats("cumulative").print_stats(top)
    return "at" in published


if __name__ == "__main__":
    sys.exit(main())
