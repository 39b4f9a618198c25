"""Benchmark: a live congress vote with thousands of delegates connected over loopback.

Usage: python bench/congress_vote.py [--participants 3000] [--window 30] [--workers 1]
                                     [--database-url postgres://user@host:5432/postgres]
                                     [--redis-url redis://127.0.0.1:6379/0] [--concurrency 64]

Starts the real server (``tribune serve``, uvicorn) as a subprocess on a
throw-away data directory — SQLite by default; with ``--database-url`` (an
admin URL) it creates the database ``tribune_bench_congress`` on that server and
drops it after. ``--workers N`` is passed to ``tribune serve --workers``; with
more than one worker the in-process event bus cannot reach connections held by
another process, so the server gets ``REDIS_URL`` (``--redis-url``) and events
go through Redis pub/sub.

A general assembly is seeded with ``--participants`` members, each with a
personal API token, all seated. Then, on the clock:

1. every participant opens the assembly's SSE stream (asyncio streams, one
   connection each, as a browser's EventSource would);
2. the chair opens a vote over the API; the time until ``vote_opened`` has
   reached every connection is measured;
3. every participant casts one ballot (``POST …/votes/<id>/ballots``) from a
   thread pool, spread evenly over the window (open loop: a cast that falls
   behind schedule is sent at once), measuring each cast's latency;
4. the chair closes the vote; the time from the close request being sent to
   ``vote_closed`` reaching the LAST connection is measured.

Checks: every cast acknowledged with ``{"ballots": 1}``, every connection got
``vote_closed`` with yes + no + abstain = participants, and the database holds
exactly that many ballots and roll marks.
"""

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine, percentile  # noqa: E402  (bench/ is the script's folder)

from tribune.assemblies import loadtest  # noqa: E402
from tribune.elections import loadtest as server_tools  # noqa: E402


def raise_open_files(needed: int) -> tuple[int, int]:
    """Raise the soft RLIMIT_NOFILE (inherited by the server) to cover every socket."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < needed:
            print(f"warning: open files limited to {target} (hard limit); {needed} wanted")
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in a process group (the server and its workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class Listener:
    """One participant's open event stream, recording when each event arrived."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.opened = asyncio.Event()
        self.closed = asyncio.Event()
        self.opened_at = self.closed_at = 0.0
        self.result: dict | None = None
        self.progress = 0
        self.error: str | None = None

    async def run(self, port: int, path: str, gate: asyncio.Semaphore) -> None:
        writer = None
        try:
            async with gate:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(
                    f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Accept: text/event-stream\r\n\r\n".encode()
                )
                await writer.drain()
                status = await reader.readline()
                if b" 200 " not in status:
                    raise RuntimeError(status.decode().strip())
                while not (await reader.readline()).startswith(b"retry:"):
                    pass
            self.connected.set()
            buffer = b""
            while True:
                # Read what has arrived and split it into lines: cheaper than readline per
                # line, and this client shares the machine's cores with the server.
                chunk = await reader.read(65536)
                if not chunk:
                    raise ConnectionError("stream ended")
                *lines, buffer = (buffer + chunk).split(b"\n")
                for line in lines:
                    if line.startswith(b"data: ") and self._handle(json.loads(line[6:])):
                        return
        except Exception as failure:  # noqa: BLE001 — every failure is reported, none hidden
            self.error = repr(failure)
            self.connected.set()
            self.opened.set()
            self.closed.set()
        finally:
            if writer is not None:
                writer.close()

    def _handle(self, message: dict) -> bool:
        """Record one event; True once the result has arrived."""
        event = message["event"]
        if event == "vote_opened":
            self.opened_at = time.perf_counter()
            self.opened.set()
        elif event == "vote_progress":
            self.progress += 1
        elif event == "vote_closed":
            self.closed_at = time.perf_counter()
            self.result = message["data"]["result"]
            self.closed.set()
            return True
        return False


def cast_all(
    port: int, base: str, vote: int, tokens: list[str], window: float, concurrency: int
) -> tuple[list[dict], float]:
    """Cast one ballot per token, spread evenly over ``window`` seconds (open loop)."""
    spread = window * 0.9  # the last cast is scheduled 10 % before the window ends
    schedule = [i * spread / len(tokens) for i in range(len(tokens))]
    local = threading.local()
    path = f"{base}/votes/{vote}/ballots"
    start = time.perf_counter()

    def one(i: int) -> dict:
        if not hasattr(local, "client"):
            local.client = server_tools.Client(port)
        delay = start + schedule[i] - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent = time.perf_counter()
        choice = random.choice(["yes", "yes", "no", "abstain"])
        status, body = local.client.call("POST", path, tokens[i], {"choice": choice})
        done = time.perf_counter()
        return {"sent": sent, "done": done, "status": status, "body": body, "choice": choice}

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(len(tokens))))
    return results, start


async def measure(args, port: int, seed: dict, server_pgid: int) -> dict:
    chair = server_tools.Client(port)
    base = loadtest.base(seed)
    listeners = [Listener() for _ in seed["tokens"]]
    gate = asyncio.Semaphore(args.open_batch)
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(listener.run(port, loadtest.events_path(seed), gate))
        for listener in listeners
    ]
    await asyncio.gather(*(listener.connected.wait() for listener in listeners))
    connecting = time.perf_counter() - started
    failed = [listener.error for listener in listeners if listener.error]
    if failed:
        raise RuntimeError(f"{len(failed)} streams failed to connect, e.g. {failed[0]}")
    await asyncio.sleep(1)  # let every listener subscribe before the first event

    loop = asyncio.get_running_loop()
    opened_sent = time.perf_counter()
    status, vote = await loop.run_in_executor(
        None,
        lambda: chair.call(
            "POST", f"{base}/votes", seed["chair_token"], {"motion_id": seed["motion"]}
        ),
    )
    if status != 201:
        raise RuntimeError(f"open: {status} {vote}")
    await asyncio.wait_for(
        asyncio.gather(*(listener.opened.wait() for listener in listeners)), timeout=120
    )
    opened_fanout = max(listener.opened_at for listener in listeners) - opened_sent

    spy = None
    if args.py_spy:
        # Samples the server (its threads, the idle ones left out) while the hall casts.
        spy = subprocess.Popen(
            [
                os.environ.get("PY_SPY", "py-spy"),
                "record",
                "--pid",
                str(server_pgid),
                "--duration",
                str(int(args.window)),
                "--format",
                "raw",
                "--output",
                args.py_spy,
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
        )
    cpu_before = group_cpu_seconds(server_pgid), own_cpu_seconds()
    casts, cast_start = await loop.run_in_executor(
        None,
        cast_all,
        port,
        base,
        vote["id"],
        seed["tokens"],
        args.window,
        args.concurrency,
    )
    cpu_after = group_cpu_seconds(server_pgid), own_cpu_seconds()
    if spy is not None:
        spy.wait()
    close_sent = time.perf_counter()
    status, closed = await loop.run_in_executor(
        None, lambda: chair.call("POST", f"{base}/votes/{vote['id']}/close", seed["chair_token"])
    )
    close_answered = time.perf_counter()
    if status != 200:
        raise RuntimeError(f"close: {status} {closed}")
    try:
        await asyncio.wait_for(
            asyncio.gather(*(listener.closed.wait() for listener in listeners)), timeout=120
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    chair.close()

    delivered = [listener for listener in listeners if listener.result is not None]
    latencies = sorted((c["done"] - c["sent"]) * 1000 for c in casts)
    first, last = min(c["sent"] for c in casts), max(c["done"] for c in casts)
    acknowledged = [c for c in casts if c["status"] == 201 and c["body"] == {"ballots": 1}]
    expected = {k: sum(1 for c in casts if c["choice"] == k) for k in ("yes", "no", "abstain")}
    return {
        "vote": vote["id"],
        "connecting_s": connecting,
        "opened_fanout_ms": opened_fanout * 1000,
        "casts": len(casts),
        "acknowledged": len(acknowledged),
        "errors": [c["body"] for c in casts if c not in acknowledged][:3],
        "cast_span_s": last - first,
        "within_window": sum(1 for c in casts if c["done"] - cast_start <= args.window),
        "throughput": len(casts) / (last - first),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "mean_ms": statistics.fmean(latencies),
        "max_ms": latencies[-1],
        "close_answer_ms": (close_answered - close_sent) * 1000,
        "close_to_last_ms": (max(lst.closed_at for lst in delivered) - close_sent) * 1000
        if delivered
        else None,
        "close_to_median_ms": statistics.median(lst.closed_at - close_sent for lst in delivered)
        * 1000
        if delivered
        else None,
        "closed_deliveries": len(delivered),
        "stream_errors": [lst.error for lst in listeners if lst.error][:3],
        "result_ok": sum(
            1
            for lst in delivered
            if {k: lst.result[k] for k in expected} == expected
            and sum(lst.result[k] for k in expected) == len(casts)
        ),
        "progress_events_per_stream": statistics.fmean(lst.progress for lst in listeners),
        "api_result": closed["result"],
        "server_cpu_s": cpu_after[0] - cpu_before[0],
        "client_cpu_s": cpu_after[1] - cpu_before[1],
        "timeline": [(c["sent"] - cast_start, c["done"] - c["sent"]) for c in casts],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=3000)
    parser.add_argument("--window", type=float, default=30.0, help="seconds to spread casts over")
    parser.add_argument("--concurrency", type=int, default=64, help="client threads casting")
    parser.add_argument("--open-batch", type=int, default=200, help="streams connecting at once")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--database-url", default="", help="PostgreSQL admin URL")
    parser.add_argument(
        "--database-name", default="tribune_bench_congress", help="throw-away PG database"
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help="REDIS_URL for the server (default: redis://127.0.0.1:6379/0 when --workers > 1)",
    )
    parser.add_argument(
        "--py-spy",
        default="",
        help="sample the server with py-spy (PY_SPY=its path) while casting; raw stacks here",
    )
    parser.add_argument(
        "--latencies", default="", help="write each cast's (sent at, latency) in s to this file"
    )
    args = parser.parse_args()
    redis_url = args.redis_url or ("redis://127.0.0.1:6379/0" if args.workers > 1 else "")

    # Each stream is a socket here and one (two with Redis) in the server, which inherits this.
    limits = raise_open_files(args.participants * 3 + 2000)
    data_dir = Path(tempfile.mkdtemp(prefix="tribune-bench-congress-"))
    print(f"machine: {machine()}")
    print(f"open files (soft, hard): {limits}")
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        database_url = None
        if args.database_url:
            database_url = stack.enter_context(
                server_tools.throwaway_postgres(args.database_url, args.database_name)
            )
        env = server_tools.server_env(data_dir, database_url)
        env["WEB_WORKERS"] = str(args.workers)  # read by `tribune serve`
        if redis_url:
            env["REDIS_URL"] = redis_url
        started = time.perf_counter()
        seed_file = data_dir / "seed.json"
        loadtest.run_tool(
            env, "seed", "--participants", str(args.participants), "--out", str(seed_file)
        )
        seeding = time.perf_counter() - started
        seed = json.loads(seed_file.read_text())
        server = server_tools.Server(env, server_tools.free_port(), data_dir / "server.log")
        server.start()
        stack.callback(server.kill)
        try:
            figures = asyncio.run(measure(args, server.port, seed, server.process.pid))
        except Exception:
            print((data_dir / "server.log").read_text()[:3000])
            raise
        server.stop()
        counted = loadtest.run_tool(env, "count", "--vote", str(figures["vote"]))
        server_log = (data_dir / "server.log").read_text()

    database = "postgresql" if args.database_url else "sqlite"
    if args.latencies:
        Path(args.latencies).write_text(json.dumps(figures["timeline"]))
    events_bus = f"redis ({redis_url})" if redis_url else "in-process"
    n = args.participants
    ok = (
        figures["acknowledged"] == n
        and counted["ballots"] == counted["voted"] == n
        and figures["closed_deliveries"] == n
        and figures["result_ok"] == n
    )
    print(
        f"config: {database}, {args.workers} worker(s), events {events_bus}, {n} participants, "
        f"{args.window:.0f} s window, {args.concurrency} client threads; seeding {seeding:.1f} s"
    )
    print(f"streams connected in {figures['connecting_s']:.1f} s")
    print(f"vote_opened reached all {n} streams {figures['opened_fanout_ms']:.0f} ms after open")
    print(
        "database    workers  events      casts  ack'd  in window  span (s)  casts/s  "
        "p50 (ms)  p99 (ms)  max (ms)  close→last (ms)  closed seen  counted"
    )
    print(
        f"{database:<11} {args.workers:>7}  {('redis' if redis_url else 'in-process'):<10} "
        f"{figures['casts']:>6,} {figures['acknowledged']:>6,} {figures['within_window']:>10,} "
        f"{figures['cast_span_s']:>9.1f} {figures['throughput']:>8.1f} "
        f"{figures['p50_ms']:>9.0f} {figures['p99_ms']:>9.0f} {figures['max_ms']:>9.0f} "
        f"{figures['close_to_last_ms']:>16.0f} {figures['closed_deliveries']:>12,}  "
        f"{counted['ballots']:,} ballots, {counted['voted']:,} marks"
    )
    print(
        f"close answered in {figures['close_answer_ms']:.0f} ms; median stream got vote_closed "
        f"{figures['close_to_median_ms']:.0f} ms after the request; "
        f"{figures['progress_events_per_stream']:.1f} vote_progress events per stream"
    )
    span = figures["cast_span_s"]
    print(
        f"CPU while casting ({span:.0f} s): server {figures['server_cpu_s']:.0f} s "
        f"({figures['server_cpu_s'] / n * 1000:.1f} ms per ballot), "
        f"this client {figures['client_cpu_s']:.0f} s, of {os.cpu_count()} cores x {span:.0f} s"
    )
    print(f"result: {json.dumps(figures['api_result'])}; database {json.dumps(counted['result'])}")
    if figures["errors"] or figures["stream_errors"]:
        print(f"errors: {figures['errors']} {figures['stream_errors']}")
        print(f"server log (end):\n{server_log[-3000:]}")
    print("OK: exactly one ballot per participant, every stream got the result" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
