"""The live stream delivers: a vote opened and closed over the API reaches open SSE connections.

The real server (``tribune serve``, uvicorn) runs as a subprocess on its own
data directory, as deployed; two listeners hold the events URL open with plain
``http.client`` while the chair opens a vote, three delegates vote and the
chair closes it from another thread. Both listeners must get ``vote_opened``,
then ``vote_closed`` carrying the counted result.

Runs on SQLite by default; with ``DATABASE_URL`` pointing at PostgreSQL it
uses a throw-away database on that server (either way a copy of one migrated once per
test run, ``server_template``). A second run serves with two
worker processes and Redis pub/sub (``TRIBUNE_TEST_REDIS_URL``, default the local Redis),
where a listener and the chair's request may sit in different processes.
"""

import json
import os
import socket
import threading
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import redis_test_url
from tribune.assemblies import loadtest
from tribune.elections import loadtest as server_tools

DELEGATES = 3


def _redis_url() -> str:
    url = redis_test_url()
    where = urlsplit(url)
    try:
        socket.create_connection((where.hostname, where.port or 6379), timeout=1).close()
    except OSError:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("Redis is not running")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return url


@pytest.mark.parametrize("bus", ["in-process", "redis"])
def test_vote_opened_and_closed_reach_every_open_stream(tmp_path: Path, bus: str, server_template):
    with ExitStack() as stack:
        database = server_tools.fresh_database(
            stack, server_template, tmp_path, f"tribune_live_{os.getpid()}"
        )
        env = server_tools.server_env(tmp_path, database)
        if bus == "redis":
            env["REDIS_URL"] = _redis_url()
            env["WEB_WORKERS"] = "2"
        seed_file = tmp_path / "seed.json"
        loadtest.run_tool(env, "seed", "--participants", str(DELEGATES), "--out", str(seed_file))
        seed = json.loads(seed_file.read_text())
        server = server_tools.Server(env, server_tools.free_port(), tmp_path / "server.log")
        server.start()
        stack.callback(server.kill)

        streams = [
            loadtest.Stream(server.port, loadtest.events_path(seed), timeout=15) for _ in range(4)
        ]
        for stream in streams:
            stack.callback(stream.close)

        base = loadtest.base(seed)
        answers: list[tuple[int, object]] = []

        def chair_and_delegates() -> None:
            client = server_tools.Client(server.port)
            try:
                status, vote = client.call(
                    "POST", f"{base}/votes", seed["chair_token"], {"motion_id": seed["motion"]}
                )
                answers.append((status, vote))
                for token, choice in zip(seed["tokens"], ["yes", "yes", "no"], strict=True):
                    path = f"{base}/votes/{vote['id']}/ballots"
                    answers.append(client.call("POST", path, token, {"choice": choice}))
                answers.append(
                    client.call("POST", f"{base}/votes/{vote['id']}/close", seed["chair_token"])
                )
            finally:
                client.close()

        actor = threading.Thread(target=chair_and_delegates)
        actor.start()
        received: list[list[dict]] = []
        for stream in streams:
            events = []
            while not events or events[-1]["event"] != "vote_closed":
                events.append(stream.next_event())  # times out (fails) after 15 s of silence
            received.append(events)
        actor.join(timeout=15)

        assert [status for status, _body in answers] == [201, 201, 201, 201, 200], answers
        vote = answers[0][1]
        for events in received:
            names = [e["event"] for e in events]
            assert names[0] == "vote_opened" and names[-1] == "vote_closed", names
            assert set(names) <= {"vote_opened", "vote_progress", "vote_closed"}
            assert events[0]["data"]["vote"] == vote["id"]
            assert events[0]["data"]["subject"] == "Rents"
            closed = events[-1]["data"]
            assert closed["vote"] == vote["id"]
            assert closed["result"] == {
                "yes": 2,
                "no": 1,
                "abstain": 0,
                "carried": True,
                "quorate": True,
                "outcome": "carried",
                "quorum": 1,
                "rule": "simple majority (more yes than no)",
            }
        assert answers[-1][1]["result"]["yes"] == 2
