"""Run Tribune's whole test suite: on SQLite always, on PostgreSQL when asked.

``make test`` calls this. It says plainly what it skipped and how to enable it;
under CI (``CI=true``) nothing may be skipped: a missing PostgreSQL or Chromium
fails the run instead.

With PostgreSQL the two suites run side by side (two processes: CI's time is
the longer of the two, not their sum), each with its output kept in a file and
printed whole once both are done, and with nothing shared that one could
disturb in the other: its own data directory (the SQLite test database, huey's
file, the secret key), its own pytest temporary directory and its own Redis
database (``TRIBUNE_TEST_REDIS_URL``, which the Redis tests use; Redis channels
are namespaced by the database, tribune/lib/events.py). Either failing makes
the run fail. ``TRIBUNE_TEST_SERIAL=1`` runs them one after the other instead.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

POSTGRES_URL = os.environ.get(
    "TRIBUNE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
REDIS = os.environ.get("TRIBUNE_TEST_REDIS", "redis://127.0.0.1:6379")
# One Redis database per suite (SQLite's, PostgreSQL's): the Redis tests look at and
# delete keys, so two suites must not share one.
REDIS_DBS = os.environ.get("TRIBUNE_TEST_REDIS_DBS", "11,12").split(",")


def postgres_reachable(url: str) -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=5):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc).strip().splitlines()[0]


@dataclass
class Suite:
    """One run of pytest on one database backend, in a directory of its own."""

    label: str
    env: dict
    args: list[str]
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tribune-tests-")))
    process: subprocess.Popen | None = None
    started: float = 0.0
    seconds: float = 0.0
    returncode: int | None = None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "pytest",
            f"--basetemp={self.work / 'pytest'}",
            # The slowest tests, named at the end: where to look when CI grows long.
            "--durations=25",
            *self.args,
        ]

    def environment(self) -> dict:
        data = self.work / "data"
        data.mkdir(exist_ok=True)
        return {**self.env, "TRIBUNE_DATA_DIR": str(data)}

    @property
    def log(self) -> Path:
        return self.work / "output.txt"

    def start(self, captured: bool) -> None:
        self.started = time.monotonic()
        output = open(self.log, "w") if captured else None  # noqa: SIM115 - closed in wait()
        self.process = subprocess.Popen(
            self.command(),
            env=self.environment(),
            stdout=output,
            stderr=subprocess.STDOUT if captured else None,
        )
        self._output = output

    def wait(self) -> int:
        self.returncode = self.process.wait()
        self.seconds = time.monotonic() - self.started
        if self._output is not None:
            self._output.close()
        return self.returncode

    def outcome(self) -> str:
        verdict = "passed" if self.returncode == 0 else f"FAILED (exit {self.returncode})"
        return f"{self.label}: {verdict} in {self.seconds / 60:.1f} min"

    def clean(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def run(suites: list[Suite], parallel: bool) -> bool:
    """Run the suites (side by side or in turn); True when every one passed."""
    if parallel and len(suites) > 1:
        names = " and ".join(s.label for s in suites)
        print(f"=== Tribune tests on {names}, side by side (output follows) ===", flush=True)
        for suite in suites:
            suite.start(captured=True)
        for suite in suites:
            suite.wait()
        for suite in suites:
            print(f"\n=== Tribune tests on {suite.label} ===", flush=True)
            sys.stdout.write(suite.log.read_text(errors="replace"))
            sys.stdout.flush()
    else:
        for suite in suites:
            print(f"\n=== Tribune tests on {suite.label} ===", flush=True)
            suite.start(captured=False)
            suite.wait()
    print()
    for suite in suites:
        print(suite.outcome())
    return all(s.returncode == 0 for s in suites)


def main() -> int:
    args = sys.argv[1:]
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    want_postgres = os.environ.get("TRIBUNE_TEST_POSTGRES") == "1"
    serial = os.environ.get("TRIBUNE_TEST_SERIAL") == "1"
    skipped: list[str] = []

    chromium = os.environ.get("TRIBUNE_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        if ci:
            print("CI: Chromium is required for the browser tests (apt-get install chromium).")
            return 1
        skipped.append(
            "browser tests (Playwright): Chromium not found — install Debian's `chromium` "
            "package or set TRIBUNE_CHROMIUM=/path/to/chromium"
        )

    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "TRIBUNE_DATA_DIR"}
    }
    suites = [Suite("SQLite", {**base, "TRIBUNE_TEST_REDIS_URL": f"{REDIS}/{REDIS_DBS[0]}"}, args)]

    if want_postgres:
        problem = postgres_reachable(POSTGRES_URL)
        if problem:
            print(f"PostgreSQL at {POSTGRES_URL} is unreachable: {problem}")
            return 1
        suites.append(
            Suite(
                "PostgreSQL",
                {
                    **base,
                    "DATABASE_URL": POSTGRES_URL,
                    "TRIBUNE_TEST_REDIS_URL": f"{REDIS}/{REDIS_DBS[1]}",
                },
                args,
            )
        )
    elif ci:
        print("CI: set TRIBUNE_TEST_POSTGRES=1; the suite must run on PostgreSQL too.")
        return 1
    else:
        skipped.append(
            "PostgreSQL run: set TRIBUNE_TEST_POSTGRES=1 (and TRIBUNE_TEST_POSTGRES_URL if "
            f"yours is not {POSTGRES_URL})"
        )

    try:
        passed = run(suites, parallel=not serial)
    finally:
        for suite in suites:
            if suite.process is not None and suite.process.poll() is None:
                suite.process.terminate()  # interrupted: no suite is left running
                suite.process.wait()
            suite.clean()

    if skipped:
        print("\nSkipped:")
        for item in skipped:
            print(f"  - {item}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
