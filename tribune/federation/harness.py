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
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tribune.elections.loadtest import ROOT, free_port
from tribune.lib import testdb

# Seconds an operator's command may take (migrating on a loaded machine takes minutes).
COMMAND_TIMEOUT = float(os.environ.get("TRIBUNE_HARNESS_COMMAND_TIMEOUT", "120"))


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
            TRIBUNE_FEDERATION_PRIVATE_ADDRESSES="1",
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
            timeout=COMMAND_TIMEOUT,
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
                return conn.execute(sql.replace("%", "%%").replace("?", "%s"), params).fetchall()
        with contextlib.closing(
            sqlite3.connect(
                f"file:{self.data_dir / 'tribune.sqlite3'}?mode=ro", uri=True, timeout=20
            )
        ) as conn:
            return conn.execute(sql, params).fetchall()

    def write(self, sql: str) -> None:
        """Change this server's database behind the application's back (as a rogue operator)."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as conn:
                conn.execute(sql)
            return
        with contextlib.closing(
            sqlite3.connect(self.data_dir / "tribune.sqlite3", timeout=20)
        ) as conn:
            conn.execute(sql)
            conn.commit()

    def scalar(self, sql: str, params: tuple = ()):
        return self.query(sql, params)[0][0]

    def private_key_pem(self) -> bytes:
        return (self.data_dir / "federation-server-key.pem").read_bytes()


@contextlib.contextmanager
def cluster(root: Path, names: list[str], extra: dict | None = None, setup: str = ""):
    """Set up and start one node per name, yield them, kill them all after.

    The schema is migrated once, in a template (a SQLite file copied, or a
    PostgreSQL database each node's is created from), with the static files
    collected once: migrating every node from nothing takes minutes on a busy
    machine. Each node then makes its operator account (and runs ``setup``)
    in parallel, and starts.
    """
    admin = testdb.postgres_admin_url()
    pid = os.getpid()
    with contextlib.ExitStack() as stack:
        template = stack.enter_context(
            testdb.migrated_template(
                admin,
                root / "template",
                name=f"tribune_fed_t_{pid}",
                env=lambda url: Node("template", root / "template", url, extra or {}).env,
                collectstatic=True,
            )
        )
        nodes = []
        for name in names:
            url = testdb.fresh_database(stack, template, root / name, f"tribune_fed_{name}_{pid}")
            node = Node(name, root / name, url, extra or {})
            shutil.copytree(
                root / "template" / "static", node.data_dir / "static", dirs_exist_ok=True
            )
            nodes.append(node)
        try:
            setup_all(nodes, setup)
            for node in nodes:
                node.start()
            for node in nodes:
                node.wait_ready()
            yield nodes
        finally:
            for node in nodes:
                node.kill()


OPERATOR_PASSWORD = "a long operator password 42"

SETUP = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
user = get_user_model().objects.create_user(
    "operator", "operator@{name}.test", "{password}", is_staff=True
)
EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
{extra}
print(1)
"""


def setup_all(nodes: list[Node], extra: str = "") -> None:
    """Migrate each node's database and make its operator account, all at once (in parallel).

    ``extra`` is more Python run in each (``NAME`` is the node's name).
    """
    running = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tribune.cli",
                "shell",
                "-c",
                SETUP.format(
                    name=node.name,
                    password=OPERATOR_PASSWORD,
                    extra=extra.replace("NAME", repr(node.name)),
                ),
            ],
            env=node.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for node in nodes
    ]
    for node, process in zip(nodes, running, strict=True):
        out, err = process.communicate(timeout=300)
        if process.returncode:
            raise RuntimeError(f"{node.name} setup failed:\n{out}\n{err}")


class Operator:
    """The operator's browser on one node: its staff account, using /federation/peers."""

    def __init__(self, node: Node):
        import requests

        self.node, self.session = node, requests.Session()
        login = f"{node.url}/accounts/login/"
        self.session.get(login, timeout=30)
        response = self.session.post(
            login,
            data={
                "login": f"operator@{node.name}.test",
                "password": OPERATOR_PASSWORD,
                "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
            },
            headers={"Referer": login},
            timeout=30,
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"operator login on {node.name} failed: {response.status_code}")

    def act(self, action: str, **fields) -> "requests.Response":  # noqa: F821
        page = f"{self.node.url}/federation/peers"
        if "csrftoken" not in self.session.cookies:
            self.session.get(page, timeout=30)
        return self.session.post(
            page,
            data={
                "action": action,
                "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
                **fields,
            },
            headers={"Referer": page},
            timeout=60,
            allow_redirects=False,
        )

    def peer_id(self, other: Node) -> str:
        return str(
            self.node.scalar(
                "SELECT id FROM federation_peer WHERE inbox = ?", (f"{other.url}/federation/inbox",)
            )
        )


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


def link(a: Operator, b: Operator) -> None:
    """Operator of ``a`` asks ``b`` for a link on its page; ``b`` approves; wait until active."""
    assert a.act("request", url=b.node.url).status_code == 302
    assert b.act("approve", peer=b.peer_id(a.node)).status_code == 302
    inbox = f"{b.node.url}/federation/inbox"
    wait_for(
        lambda: (
            a.node.query("SELECT status FROM federation_peer WHERE inbox = ?", (inbox,))
            == [("active",)]
        ),
        what=f"{a.node.name}'s link with {b.node.name} to be active",
    )
