"""Run Tribune's whole test suite: on SQLite always, on PostgreSQL when asked.

``make test`` calls this. It says plainly what it skipped and how to enable it;
under CI (``CI=true``) nothing may be skipped: a missing PostgreSQL or Chromium
fails the run instead.
"""

import os
import shutil
import subprocess
import sys

POSTGRES_URL = os.environ.get(
    "TRIBUNE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)


def postgres_reachable(url: str) -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=5):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc).strip().splitlines()[0]


def run(label: str, env: dict, args: list[str]) -> int:
    print(f"\n=== Tribune tests on {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main() -> int:
    args = sys.argv[1:]
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    want_postgres = os.environ.get("TRIBUNE_TEST_POSTGRES") == "1"
    skipped: list[str] = []
    failed = False

    chromium = os.environ.get("TRIBUNE_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        if ci:
            print("CI: Chromium is required for the browser tests (apt-get install chromium).")
            return 1
        skipped.append(
            "browser tests (Playwright): Chromium not found — install Debian's `chromium` "
            "package or set TRIBUNE_CHROMIUM=/path/to/chromium"
        )

    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    failed |= run("SQLite", base, args) != 0

    if want_postgres:
        problem = postgres_reachable(POSTGRES_URL)
        if problem:
            print(f"PostgreSQL at {POSTGRES_URL} is unreachable: {problem}")
            return 1
        failed |= run("PostgreSQL", {**base, "DATABASE_URL": POSTGRES_URL}, args) != 0
    elif ci:
        print("CI: set TRIBUNE_TEST_POSTGRES=1; the suite must run on PostgreSQL too.")
        return 1
    else:
        skipped.append(
            "PostgreSQL run: set TRIBUNE_TEST_POSTGRES=1 (and TRIBUNE_TEST_POSTGRES_URL if "
            f"yours is not {POSTGRES_URL})"
        )

    if skipped:
        print("\nSkipped:")
        for item in skipped:
            print(f"  - {item}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
