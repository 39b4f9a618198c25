"""The server's SECRET_KEY: from the environment, or a random one kept per data directory.

Django signs sessions, CSRF tokens, password-reset and email-confirmation
links with ``SECRET_KEY``. A key written in the source code is known to
everyone who can read the source, and with it anyone can forge those links
offline. So Tribune never has a built-in key: ``SECRET_KEY`` in the
environment wins; otherwise the first start on a data directory draws a
random key and stores it there (``secret_key``, readable by the owner only),
and every later start on that directory reads it back, so sessions and links
survive restarts and every worker process of one server signs alike.

This module is imported by ``tribune/settings.py`` before Django is set up,
so it uses nothing from Django.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

KEY_FILE_NAME = "secret_key"
# Django's own deploy check (security.W009) wants at least 50 characters, 5 distinct.
MIN_LENGTH = 50
MIN_UNIQUE = 5
# Keys that were published: Tribune's old built-in key and Django's startproject prefix.
_KNOWN_PREFIXES = ("insecure-dev-key", "django-insecure")


def key_file(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILE_NAME


def load_or_create(data_dir: Path) -> str:
    """The key stored in ``data_dir``, drawn and stored (mode 0600) on first use.

    Creation is atomic: the key is written to a private temporary file and
    hard-linked into place, so two processes starting at once on a fresh
    directory end up with the same key (the second link fails and that process
    reads the winner's file) and no process ever reads a half-written key.
    """
    path = key_file(data_dir)
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)  # 64 characters, 384 random bits
    temporary = path.with_name(f".{KEY_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)  # whatever the umask said
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read(path)
    finally:
        temporary.unlink(missing_ok=True)
    return key


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise ValueError(f"{path} is empty: delete it to draw a new key, or set SECRET_KEY.")
    return key


def key_problem(key: str, path: Path | None = None) -> str | None:
    """Why ``key`` cannot be trusted to sign for a public server, or ``None`` if it can.

    ``path`` is the file the key was read from (``None`` when it came from the
    environment): a key file that others may read is no secret.
    """
    if key.startswith(_KNOWN_PREFIXES):
        return "SECRET_KEY is a published development key."
    if len(key) < MIN_LENGTH or len(set(key)) < MIN_UNIQUE:
        return (
            f"SECRET_KEY is too short or too simple (at least {MIN_LENGTH} characters, "
            f"{MIN_UNIQUE} different ones)."
        )
    if path is not None:
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            return f"The key file {path} cannot be read ({exc.strerror})."
        if stat.S_IMODE(mode) & 0o077:
            return (
                f"The key file {path} can be read by other users "
                f"(mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}"
            )
    return None
