"""Migrate once, copy many: databases for Tribune servers started in processes of their own.

The tests and benchmarks that run ``tribune serve`` as a subprocess (durability,
live streams, federation clusters) each need an empty, migrated database.
Migrating takes seconds of CPU on a busy machine; copying a SQLite file or
creating a PostgreSQL database from a template takes almost none. So a
template is migrated once (``migrated_template``) and every server gets a copy
(``fresh_database``). On PostgreSQL the databases live on the server that
``DATABASE_URL`` names and are dropped afterwards; on SQLite they are files in
each server's data directory.

Nothing here imports Django: the caller's own process may be a test run with a
test database of its own, which the servers never share.
"""

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

ROOT = Path(__file__).resolve().parents[2]
SQLITE_NAME = "tribune.sqlite3"  # the file ``settings`` uses in TRIBUNE_DATA_DIR


def postgres_admin_url(url: str | None = None) -> str | None:
    """``url`` (by default ``DATABASE_URL``) when it names PostgreSQL, else None (SQLite)."""
    url = os.environ.get("DATABASE_URL", "") if url is None else url
    if url and dj_database_url.parse(url)["ENGINE"].endswith("postgresql"):
        return url
    return None


def server_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of a server on ``data_dir``: its own database, never the caller's."""
    env = {**os.environ, "TRIBUNE_DATA_DIR": str(data_dir)}
    env["DJANGO_SETTINGS_MODULE"] = "tribune.settings"
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextlib.contextmanager
def throwaway_postgres(admin_url: str, name: str, template: str = "") -> Iterator[str]:
    """Create database ``name`` on the server of ``admin_url``, yield its URL, drop it after.

    With ``template``, the new database is a copy of that one (already migrated, say).
    """
    import psycopg

    def admin():
        return psycopg.connect(admin_url, autocommit=True)

    copy = f' TEMPLATE "{template}"' if template else ""
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def migrated_template(
    admin_url: str | None,
    data_dir: Path,
    *,
    name: str = "",
    env: Callable[[str | None], dict[str, str]] | None = None,
    collectstatic: bool = False,
) -> Iterator[dict]:
    """A database migrated once, for servers started afresh to copy (``fresh_database``).

    SQLite: ``data_dir/tribune.sqlite3``; PostgreSQL (``admin_url``): a throw-away
    database ``name`` on that server, dropped afterwards. ``env(database_url)`` is
    the environment the commands run in (by default ``server_env`` on ``data_dir``);
    with ``collectstatic`` the static files are collected too, into ``data_dir/static``.
    """
    with contextlib.ExitStack() as stack:
        url, name = None, name or f"tribune_template_{os.getpid()}"
        if admin_url:
            url = stack.enter_context(throwaway_postgres(admin_url, name))
        environment = env(url) if env else server_env(data_dir, url)
        commands = [["migrate"]] + ([["collectstatic", "--no-input"]] if collectstatic else [])
        for command in commands:
            subprocess.run(
                [sys.executable, "-m", "tribune.cli", *command, "--verbosity", "0"],
                env=environment,
                cwd=ROOT,
                check=True,
            )
        yield {
            "admin_url": admin_url,
            "postgres": name if admin_url else "",
            "sqlite": data_dir / SQLITE_NAME,
        }


def fresh_database(
    stack: contextlib.ExitStack, template: dict, data_dir: Path, name: str
) -> str | None:
    """A copy of ``template`` for one server: its PostgreSQL URL (database ``name``, dropped
    when ``stack`` closes), or None (SQLite, copied into ``data_dir``, the server's data
    directory)."""
    if template["postgres"]:
        return stack.enter_context(
            throwaway_postgres(template["admin_url"], name, template=template["postgres"])
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / SQLITE_NAME).write_bytes(template["sqlite"].read_bytes())
    return None
