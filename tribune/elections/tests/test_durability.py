"""Every acknowledged ballot survives a server restart, even a SIGKILL mid-vote.

The real server (``tribune serve``) runs as a subprocess on its own data
directory; voters cast over HTTP with API tokens from several threads; the
moment the 40th ballot is acknowledged the server is killed with SIGKILL while
other ballots are still in flight. After a restart every acknowledged tracker
is in the box, the roll and the box agree (no voter marked without a ballot,
no ballot without a mark), and the count includes them all.

Runs on SQLite by default; with ``DATABASE_URL`` pointing at PostgreSQL it
uses a throw-away database on that server. Either way the database is a copy of one
migrated once per test run (the ``server_template`` fixture).
"""

import json
import os
import queue
import threading
from contextlib import ExitStack
from pathlib import Path

from tribune.elections import loadtest

VOTERS = 60
KILL_AFTER = 40
THREADS = 8


def test_every_acknowledged_ballot_survives_a_sigkill(tmp_path: Path, server_template):
    with ExitStack() as stack:
        database = loadtest.fresh_database(
            stack, server_template, tmp_path, f"tribune_durability_{os.getpid()}"
        )
        env = loadtest.server_env(tmp_path, database)
        seed_file = tmp_path / "seed.json"
        loadtest.run_tool(env, "seed", "--voters", str(VOTERS), "--out", str(seed_file))
        seed = json.loads(seed_file.read_text())
        election, candidates = seed["election"], seed["candidates"]
        server = loadtest.Server(env, loadtest.free_port(), tmp_path / "server.log").start()
        stack.callback(server.kill)

        tokens: queue.Queue[str] = queue.Queue()
        for token in seed["tokens"]:
            tokens.put(token)
        acknowledged: dict[str, str] = {}  # token → tracker
        lock = threading.Lock()
        killed = threading.Event()
        errors: list[object] = []

        def vote() -> None:
            client = loadtest.Client(server.port)
            try:
                while not killed.is_set():
                    try:
                        token = tokens.get_nowait()
                    except queue.Empty:
                        return
                    status, body = client.cast(election, token, candidates[:2])
                    if status != 201:
                        errors.append(body)
                        return
                    with lock:
                        acknowledged[token] = body["tracker"]
                        if len(acknowledged) == KILL_AFTER:
                            killed.set()
                            server.kill()  # right after the 201, others still in flight
            except (OSError, ConnectionError) as cut:
                if not killed.is_set():  # only the kill may cut a request off
                    errors.append(cut)
            finally:
                client.close()

        threads = [threading.Thread(target=vote) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert killed.is_set()
        assert len(acknowledged) >= KILL_AFTER

        server.start()
        client = loadtest.Client(server.port)
        base = f"/api/v1/organisations/{loadtest.SLUG}/elections/{election}"
        for token, tracker in acknowledged.items():
            status, found = client.call("GET", f"{base}/trackers/{tracker}")
            assert status == 200 and found["in_box"], tracker
            status, detail = client.call("GET", base, token)
            assert detail["you_voted"] is True
        # A voter whose ballot was acknowledged cannot vote again after the restart.
        status, body = client.cast(election, next(iter(acknowledged)), candidates[:1])
        assert status == 400
        assert body["detail"] == [
            {"field": "choice", "reason": "You have already voted in this election."}
        ]
        client.close()
        server.stop()

        counted = loadtest.run_tool(env, "count", "--election", str(election))
        assert counted["ballots"] == counted["voted"] >= len(acknowledged)
        assert counted["status"] == "certified"
        assert counted["turnout"] == counted["ballots"]
