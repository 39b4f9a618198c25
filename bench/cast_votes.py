"""Benchmark: distinct voters casting ballots in one election over loopback HTTP.

Usage: python bench/cast_votes.py [--voters 5000] [--concurrency 32]
                                  [--database-url postgres://user@host:5432/postgres]

Starts the real server (``tribune serve``) as a subprocess on a throw-away
data directory — SQLite by default; with ``--database-url`` (an admin URL) it
creates the database ``tribune_bench`` on that server and drops it after.
Voters (each with a personal API token) are written to the database before
the clock starts; then a thread pool casts one ballot per voter with
``POST /api/v1/organisations/<slug>/elections/<id>/ballots``. Reports
throughput, p50/p99 latency, and checks — after the server is stopped and
voting is closed and counted — that exactly one ballot per voter was counted.
"""

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine, percentile, server_cpu_seconds  # noqa: E402  (bench/ is the script's folder)

from tribune.elections import loadtest  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--database-url", default="", help="PostgreSQL admin URL")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="tribune-bench-votes-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        database_url = None
        if args.database_url:
            database_url = stack.enter_context(
                loadtest.throwaway_postgres(args.database_url, "tribune_bench")
            )
        env = loadtest.server_env(data_dir, database_url)
        env["WEB_WORKERS"] = str(args.workers)  # read by `tribune serve`
        started = time.perf_counter()
        seed_file = data_dir / "seed.json"
        loadtest.run_tool(env, "seed", "--voters", str(args.voters), "--out", str(seed_file))
        seeding = time.perf_counter() - started
        seed = json.loads(seed_file.read_text())
        election, candidates, tokens = seed["election"], seed["candidates"], seed["tokens"]

        port = loadtest.free_port()
        server = loadtest.Server(env, port, data_dir / "server.log").start()
        stack.callback(server.kill)

        local = threading.local()
        clients: list[loadtest.Client] = []
        lock = threading.Lock()

        def cast(token: str) -> tuple[int, float]:
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = loadtest.Client(port)
                with lock:
                    clients.append(client)
            ranking = random.sample(candidates, k=random.randint(1, len(candidates)))
            t0 = time.perf_counter()
            status, _body = client.cast(election, token, ranking)
            return status, time.perf_counter() - t0

        started = time.perf_counter()
        cpu_before = server_cpu_seconds(server.process.pid)
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            outcomes = list(pool.map(cast, tokens))
        wall = time.perf_counter() - started
        server_cpu = server_cpu_seconds(server.process.pid) - cpu_before
        for client in clients:
            client.close()
        server.stop()

        counted = loadtest.run_tool(env, "count", "--election", str(election))
        acknowledged = sum(1 for status, _ in outcomes if status == 201)
        failures = len(outcomes) - acknowledged
        latencies = sorted(seconds for _status, seconds in outcomes)

        print(f"machine: {machine()}")
        print(f"database: {'postgresql' if database_url else 'sqlite'}")
        print(
            f"server: tribune serve (uvicorn, {args.workers} worker(s)); "
            f"client: {args.concurrency} threads, keep-alive http.client over loopback"
        )
        print(f"seeding {args.voters} voters with tokens: {seeding:.1f} s")
        print(f"ballots: {acknowledged} acknowledged (201), {failures} refused or failed")
        print(f"wall: {wall:.2f} s, throughput: {len(outcomes) / wall:,.0f} ballots/s")
        # Less sensitive than throughput to other jobs on a shared machine.
        print(
            f"server CPU while casting: {server_cpu:.1f} s "
            f"({server_cpu / len(outcomes) * 1000:.1f} ms per ballot)"
        )
        print(
            f"latency: p50 {percentile(latencies, 50) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 99) * 1000:.1f} ms, "
            f"mean {statistics.fmean(latencies) * 1000:.1f} ms, "
            f"max {latencies[-1] * 1000:.1f} ms"
        )
        print(
            f"counted: {counted['turnout']} ballots in the count, {counted['ballots']} in the box, "
            f"{counted['voted']} marked on the roll; status {counted['status']}"
        )
        ok = (
            failures == 0
            and counted["turnout"] == counted["ballots"] == counted["voted"] == args.voters
        )
        print("check: exactly one ballot per voter counted" if ok else "check: FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
