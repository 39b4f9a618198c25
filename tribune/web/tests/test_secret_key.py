"""SECRET_KEY: never built in, drawn per data directory, and refused on a public address if weak.

With a key known to all (the old built-in one), anyone could forge an
email-confirmation or password-reset link offline.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tribune.lib import secret_key
from tribune.web.management.commands.serve import is_local

ROOT = Path(__file__).resolve().parents[3]


def _settings_key(data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """Start Django's settings in a fresh process on ``data_dir``, as every command does."""
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    environ.update(TRIBUNE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="tribune.settings")
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )


def test_a_fresh_data_directory_gets_a_private_key_file_reused_on_the_next_start(tmp_path):
    first = _settings_key(tmp_path).stdout.strip()
    path = tmp_path / "secret_key"
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key.key_problem(first, path) is None
    assert _settings_key(tmp_path).stdout.strip() == first
    assert "insecure" not in first


def test_two_data_directories_get_different_keys(tmp_path):
    one = _settings_key(tmp_path / "one").stdout.strip()
    two = _settings_key(tmp_path / "two").stdout.strip()
    assert one != two and len(one) >= 50 and len(two) >= 50


def test_the_environment_wins_and_no_file_is_written(tmp_path):
    key = "k" * 30 + "0123456789abcdefghij"
    assert _settings_key(tmp_path, SECRET_KEY=key).stdout.strip() == key
    assert not (tmp_path / "secret_key").exists()


def test_racing_starts_agree_on_one_key(tmp_path):
    """Workers starting at once on a fresh directory must sign alike."""
    keys = {secret_key.load_or_create(tmp_path) for _ in range(3)}
    assert len(keys) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary left behind


@pytest.mark.parametrize(
    "host, local",
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("tribune.example.org", False),
    ],
)
def test_which_hosts_are_local(host, local):
    assert is_local(host) is local


def test_serve_refuses_a_public_address_with_a_weak_key(settings):
    settings.SECRET_KEY = "insecure-dev-key-set-SECRET_KEY-in-production"  # the old built-in one
    settings.SECRET_KEY_FILE = None
    with pytest.raises(CommandError, match="Refusing to serve on 0.0.0.0: SECRET_KEY is a publ"):
        call_command("serve", host="0.0.0.0", no_worker=True)
    settings.SECRET_KEY = "short"
    with pytest.raises(CommandError, match="too short"):
        call_command("serve", host="::", no_worker=True)


def test_serve_refuses_a_key_file_others_can_read(settings, tmp_path):
    settings.SECRET_KEY = secret_key.load_or_create(tmp_path)
    settings.SECRET_KEY_FILE = tmp_path / "secret_key"
    settings.SECRET_KEY_FILE.chmod(0o644)
    with pytest.raises(CommandError, match="can be read by other users"):
        call_command("serve", host="0.0.0.0", no_worker=True)


def test_serve_on_a_public_address_exits_non_zero_with_a_clear_message(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(TRIBUNE_DATA_DIR=str(tmp_path), SECRET_KEY="weak")
    done = subprocess.run(
        [sys.executable, "-m", "tribune.cli", "serve", "--host", "0.0.0.0", "--no-worker"],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Refusing to serve on 0.0.0.0" in done.stderr
    assert not (tmp_path / "tribune.sqlite3").exists()  # refused before touching the database
