"""`tribune check --deploy` fails on the defaults and passes on docs/deploy.md's settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def production_env() -> dict[str, str]:
    """The environment file of docs/deploy.md (deploy/tribune.env), as systemd reads it."""
    env = {}
    for line in (ROOT / "deploy" / "tribune.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip()
    return env


def run_check(tmp_path, extra: dict[str, str]) -> subprocess.CompletedProcess:
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(extra, TRIBUNE_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "tribune.cli", "check", "--deploy"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_defaults_fail_with_one_line_per_problem(tmp_path):
    done = run_check(tmp_path, {})
    assert done.returncode != 0
    out = done.stdout + done.stderr
    for code in ("E002", "E003", "E004", "E005", "E006"):
        lines = [line for line in out.splitlines() if f"(tribune.{code})" in line]
        assert len(lines) == 1, (code, out)
    assert "security.W004" in out  # Django's own deployment checks run too


def test_the_documented_production_settings_pass(tmp_path):
    env = production_env()
    secret = env.pop("SECRET_KEY")
    assert re.fullmatch(r"<.*>", secret), "the example must not ship a usable key"
    env["SECRET_KEY"] = "k" + "".join(chr(ord("a") + i % 26) for i in range(63))
    env.pop("DATABASE_URL")  # PostgreSQL is not needed to check settings
    env.pop("REDIS_URL")
    done = run_check(tmp_path, env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_weak_secret_key_fails(tmp_path):
    env = production_env()
    env.pop("DATABASE_URL")
    env.pop("REDIS_URL")
    env["SECRET_KEY"] = "short"
    done = run_check(tmp_path, env)
    assert done.returncode != 0
    assert "(tribune.E001)" in done.stdout + done.stderr


@pytest.mark.django_db
def test_the_demo_organisation_fails_the_check(world):
    from tribune.ops.checks import deployment
    from tribune.organisations.demo import SLUG

    assert not [e for e in deployment() if e.id == "tribune.E007"]
    world.org.__class__.objects.filter(pk=world.org.pk).update(slug=SLUG)
    assert [e for e in deployment() if e.id == "tribune.E007"]
