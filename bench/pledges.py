"""Benchmark: members pledging over loopback HTTP to one critical-mass pledge.

Usage: python bench/pledges.py [--members 20000] [--threshold 15000] [--concurrency 32]
                               [--database-url postgres://user@host:5432/postgres]

Starts the real server (``tribune serve``) on a throw-away data directory
(SQLite by default; with ``--database-url`` an admin URL, a throw-away
PostgreSQL database). Every member (with a personal API token) pledges once
with ``POST /api/v1/organisations/<slug>/pledges/<id>/commitment``. Reports
throughput, p50/p99 latency, the latency of the request that reached the
threshold (its transaction writes the trigger and every pledger's notice, so
when it answers the notices are queued), and checks exactly one trigger and
exactly one notice per pledger.
"""

import argparse
import json
import os
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

from common import machine, percentile  # noqa: E402  (bench/ is the script's folder)

from tribune.elections import loadtest  # noqa: E402

TOOL = "tribune.struggles.loadtest"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--threshold", type=int, default=15000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--database-url", default="", help="PostgreSQL admin URL")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="tribune-bench-pledges-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        database_url = None
        if args.database_url:
            database_url = stack.enter_context(
                loadtest.throwaway_postgres(args.database_url, "tribune_bench_pledges")
            )
        env = loadtest.server_env(data_dir, database_url)
        env["WEB_WORKERS"] = str(args.workers)
        started = time.perf_counter()
        seed_file = data_dir / "seed.json"
        loadtest.run_tool(
            env,
            "seed",
            "--members",
            str(args.members),
            "--threshold",
            str(args.threshold),
            "--out",
            str(seed_file),
            module=TOOL,
        )
        seeding = time.perf_counter() - started
        seed = json.loads(seed_file.read_text())
        pledge, tokens = seed["pledge"], seed["tokens"]
        path = f"/api/v1/organisations/{seed['slug']}/pledges/{pledge}/commitment"

        port = loadtest.free_port()
        # With its task worker: it writes the trigger's notices once the trigger commits.
        env["TRIBUNE_WORKER_MAX_DELAY"] = "0.5"
        server = loadtest.Server(env, port, data_dir / "server.log", worker=True).start()
        stack.callback(server.kill)

        local = threading.local()
        clients: list[loadtest.Client] = []
        lock = threading.Lock()

        def pledge_once(token: str) -> tuple[int, float, int]:
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = loadtest.Client(port)
                with lock:
                    clients.append(client)
            t0 = time.perf_counter()
            status, body = client.call("POST", path, token)
            count = body.get("count", 0) if isinstance(body, dict) else 0
            return status, time.perf_counter() - t0, count

        started = time.perf_counter()
        load_before = os.getloadavg()[0]
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            outcomes = list(pool.map(pledge_once, tokens))
        wall = time.perf_counter() - started
        load_after = os.getloadavg()[0]
        for client in clients:
            client.close()
        # The trigger's notices are written by the task worker after the trigger commits:
        # wait for them (the check says when the last was written) before stopping.
        waited = time.perf_counter()
        while True:
            checked = loadtest.run_tool(env, "check", "--pledge", str(pledge), module=TOOL)
            if checked["told"] or time.perf_counter() - waited > 120:
                break
            time.sleep(1)
        server.stop()
        acknowledged = sum(1 for status, _s, _c in outcomes if status == 201)
        latencies = sorted(seconds for _status, seconds, _c in outcomes)
        nth = [seconds for status, seconds, count in outcomes if count == args.threshold]

        print(f"machine: {machine()}")
        print(f"database: {'postgresql' if database_url else 'sqlite'}")
        print(f"1-minute load average: {load_before:.1f} before the run, {load_after:.1f} after")
        print(
            f"server: tribune serve (uvicorn, {args.workers} worker(s)); "
            f"client: {args.concurrency} threads, keep-alive http.client over loopback"
        )
        print(f"seeding {args.members} members with tokens: {seeding:.1f} s")
        print(f"pledges: {acknowledged} acknowledged (201), {len(outcomes) - acknowledged} not")
        print(f"wall: {wall:.2f} s, throughput: {len(outcomes) / wall:,.0f} pledges/s")
        print(
            f"latency: p50 {percentile(latencies, 50) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 99) * 1000:.1f} ms, "
            f"mean {statistics.fmean(latencies) * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
        )
        if nth:
            print(
                f"the N-th pledge (N = {args.threshold}): answered in {nth[0] * 1000:.1f} ms; "
                f"the task worker then wrote the pledgers' notices "
                f"(trigger to last notice: {checked['trigger_to_last_notice_ms'] or 0:.1f} ms)"
            )
        print(f"database: {json.dumps(checked)}")
        ok = (
            acknowledged == args.members
            and checked["count"] == args.members
            and checked["triggered"]
            and checked["triggers_logged"] == 1
            and checked["notified_members"] == checked["notices"] == args.members
        )
        print("check: exactly one trigger, one notice per pledger" if ok else "check: FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
