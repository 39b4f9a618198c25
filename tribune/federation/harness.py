"""Several real Tribune servers on this machine, for the federation's tests and benchmark.

Each node is ``tribune serve --port P --no-demo`` (which migrates, then serves
with uvicorn and starts its task worker, as docs/deploy.md's single-process
form) in a process group of its own, with its own data directory (server key,
audit key, secret key, huey's store) and its own database: a SQLite file in
that directory, or a throw-away PostgreSQL database when ``DATABASE_URL``
points at PostgreSQL. Between them: real HTTP on 127.0.0.1.

The test process acts as each server's operator (``tribune ...`` commands in
that server's environment) and reads each database directly to wait for
deliveries, without going through the servers it observes.
"""

import contextlib
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url

from tribune.elections.loadtest import ROOT, free_port, throwaway_postgres


def _postgres_admin() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url and dj_database_url.parse(url)["ENGINE"].endswith("postgresql"):
        return url
    return None


class Node:
    """One Tribune server: its environment, its process group, its database."""

    def __init__(self, name: str, data_dir: Path, database_url: str | None, extra: dict):
        self.name, self.data_dir, self.database_url = name, data_dir, database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "TRIBUNE_DATA_DIR": str(data_dir)}
        for name_ in (
            "DATABASE_URL",
            "REDIS_URL",
            "TRIBUNE_FEDERATION_KEY_FILE",
            "TRIBUNE_AUDIT_KEY_FILE",
            "SECRET_KEY",
        ):
            self.env.pop(name_, None)
        self.env.update(
            DJANGO_SETTINGS_MODULE="tribune.settings",
            TRIBUNE_SITE_URL=self.url,
            TRIBUNE_REQUEST_LOG="0",
            TRIBUNE_WORKER_MAX_DELAY="0.3",
            TRIBUNE_FEDERATION_RETRY_SECONDS="1",
            TRIBUNE_FEDERATION_RETRY_CAP_SECONDS="2",
            ACCOUNT_EMAIL_VERIFICATION="none",
            **extra,
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.log = data_dir / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> "Node":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tribune.cli",
                    "serve",
                    "--port",
                    str(self.port),
                    "--no-demo",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = 120) -> "Node":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/federation/actor")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"{self.name} did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the server and its worker: nothing flushed, nothing handed over."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def tribune(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """A ``tribune`` command run by this server's operator."""
        done = subprocess.run(
            [sys.executable, "-m", "tribune.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and done.returncode:
            raise RuntimeError(
                f"{self.name}: tribune {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def shell(self, code: str) -> object:
        """Python run inside this server's Django; its last printed line, read as JSON."""
        out = self.tribune("shell", "-c", code).stdout.strip().splitlines()
        return json.loads(out[-1]) if out else None

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read this server's database directly (``?`` placeholders)."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        with contextlib.closing(
            sqlite3.connect(
                f"file:{self.data_dir / 'tribune.sqlite3'}?mode=ro", uri=True, timeout=20
            )
        ) as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: tuple = ()):
        return self.query(sql, params)[0][0]

    def private_key_pem(self) -> bytes:
        return (self.data_dir / "federation-server-key.pem").read_bytes()


@contextlib.contextmanager
def cluster(root: Path, names: list[str], extra: dict | None = None):
    """Start one node per name (in parallel), yield them, kill them all after."""
    admin = _postgres_admin()
    with contextlib.ExitStack() as stack:
        nodes = []
        for name in names:
            url = None
            if admin:
                url = stack.enter_context(
                    throwaway_postgres(admin, f"tribune_fed_{name}_{os.getpid()}")
                )
            nodes.append(Node(name, root / name, url, extra or {}))
        try:
            for node in nodes:
                node.start()
            for node in nodes:
                node.wait_ready()
            yield nodes
        finally:
            for node in nodes:
                node.kill()


def wait_for(predicate, timeout: float = 30, what: str = "condition"):
    """Poll until ``predicate()`` is truthy; its value, or AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def link(a: Node, b: Node) -> None:
    """Operator of ``a`` asks ``b`` for a link; operator of ``b`` approves; wait until active on both."""
    a.tribune("peers", "request", b.url)
    peer_id = b.scalar(
        "SELECT id FROM federation_peer WHERE inbox = ?", (f"{a.url}/federation/inbox",)
    )
    b.tribune("peers", "approve", str(peer_id))
    wait_for(
        lambda: (
            a.query(
                "SELECT status FROM federation_peer WHERE inbox = ?", (f"{b.url}/federation/inbox",)
            )
            == [("active",)]
        ),
        what=f"{a.name}'s link with {b.name} to be active",
    )
