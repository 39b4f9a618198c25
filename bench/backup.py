"""How long `tribune backup` and `tribune restore` take on the demo, and how big the file is.

    .venv/bin/python bench/backup.py [--members 200] [--database-url postgres://.../empty_db]

Builds the demo (MEMBERS members) in a fresh data directory, on SQLite or on
the given (empty; it is wiped) PostgreSQL database, then times `tribune
backup` and `tribune restore --force` (which verifies every audit chain
against the file's checkpoints) as an operator runs them: whole processes.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def tribune(env, *args) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tribune.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="tribune-bench-backup-"))
    env = {**os.environ, "TRIBUNE_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
        tribune(
            env, "shell", "--no-imports", "-c",
            "from tribune.ops.backup import _drop_tables; _drop_tables('default')",
        )  # fmt: skip
    tribune(env, "migrate", "-v0")
    tribune(env, "demo", "--members", str(options.members))
    startup = tribune(env, "check")  # a process that loads Django and does nearly nothing
    target = data / "bench.tar.gz"
    backup = tribune(env, "backup", str(target))
    restore = tribune(env, "restore", "--force", str(target))
    engine = "PostgreSQL" if options.database_url else "SQLite"
    print(f"machine: {machine()}")
    print(f"demo with {options.members} members on {engine}")
    print(f"tribune check (start-up): {startup:6.2f} s  (part of each figure below)")
    print(f"tribune backup:            {backup:6.2f} s  ({target.stat().st_size / 1024:.0f} KiB)")
    print(f"tribune restore --force:   {restore:6.2f} s  (chains verified)")


if __name__ == "__main__":
    main()
