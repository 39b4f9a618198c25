"""scripts/run_tests.py: the two suites side by side, apart, and either failing fails the run."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def runner():
    spec = importlib.util.spec_from_file_location("run_tests", ROOT / "scripts" / "run_tests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHOW = (
    "import os, sys; print('{label}', os.environ['TRIBUNE_DATA_DIR'], "
    "os.environ['TRIBUNE_TEST_REDIS_URL']); sys.exit({code})"
)


def test_both_suites_run_apart_and_either_failing_fails_the_run(capsys):
    module = runner()

    class Suite(module.Suite):
        def command(self):  # a stand-in for pytest: says where it runs, then exits
            return [sys.executable, "-c", self.args[0]]

    passing = Suite(
        "SQLite",
        {"TRIBUNE_TEST_REDIS_URL": "redis://r/11"},
        [SHOW.format(label="sqlite-ran", code=0)],
    )
    failing = Suite(
        "PostgreSQL",
        {"TRIBUNE_TEST_REDIS_URL": "redis://r/12"},
        [SHOW.format(label="postgres-ran", code=3)],
    )
    try:
        assert module.run([passing, failing], parallel=True) is False
        assert module.run([passing], parallel=True) is True
    finally:
        passing.clean(), failing.clean()
    out = capsys.readouterr().out
    sqlite_line = next(line for line in out.splitlines() if line.startswith("sqlite-ran"))
    postgres_line = next(line for line in out.splitlines() if line.startswith("postgres-ran"))
    assert sqlite_line.split()[1] != postgres_line.split()[1]  # data directories apart
    assert sqlite_line.endswith("/11") and postgres_line.endswith("/12")  # Redis apart
    assert "SQLite: passed" in out and "PostgreSQL: FAILED (exit 3)" in out
    # Each suite's output is printed whole, under its own heading.
    assert out.index("=== Tribune tests on SQLite ===") < out.index("sqlite-ran")
    assert out.index("=== Tribune tests on PostgreSQL ===") < out.index("postgres-ran")
