"""One file that brings a Tribune server back: ``tribune backup`` / ``tribune restore``.

A backup is a gzipped tar holding:

* ``manifest.json`` — the format, when, the database engine, the migrations
  applied, and a signed checkpoint of every organisation's audit chain, issued
  just before the database was copied (so the copy holds at least those entries);
* ``database.sqlite3`` (SQLite's online backup API: one consistent snapshot while
  Tribune keeps writing) or ``database.pgdump`` (``pg_dump``'s custom format,
  itself one transaction's snapshot);
* ``media/`` — uploaded files, when the server keeps any (``MEDIA_ROOT``).

The audit key is *not* in the file (see docs/deploy.md, "Backups"): the key is
what makes a checkpoint the server's word, and a backup is copied to many places
and kept for long; whoever holds database and key together can rewrite the chain
and sign it anew. The key never changes, so it is copied once, to a separate
safe place. A restore checks the file's checkpoints against the key on the
server (or, on a server that has none yet, against the key the file names,
printing its id for the operator to compare with the one they kept).

The file is written under a temporary name and renamed when complete, so a
backup interrupted half-way never looks like a backup.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "tribune-backup/1"
NAME = re.compile(r"^tribune-\d{8}T\d{6}Z\.tar\.gz$")


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with the reason in plain words."""


def _engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    applied: dict[str, list[str]] = {}
    for app, name in sorted(loader.applied_migrations):
        applied.setdefault(app, []).append(name)
    return applied


def _media_root() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    return Path(root) if root and Path(root).is_dir() else None


def _pg_args(alias: str) -> tuple[list[str], dict]:
    db = connections[alias].settings_dict
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return [*args, "--dbname", str(db["NAME"])], env


def _run(command: list[str], env: dict, failed: str = "") -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools."
        ) from None
    if done.returncode:
        prefix = f"{failed} " if failed else ""
        raise BackupError(f"{prefix}{command[0]} failed: {done.stderr.strip()}")


def _copy_sqlite(source: str, target: str) -> None:
    """SQLite's online backup: a consistent copy even while other processes write."""
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def backup_name(now=None) -> str:
    return f"tribune-{(now or timezone.now()).strftime('%Y%m%dT%H%M%SZ')}.tar.gz"


def create(target: str | Path, alias: str = "default") -> Path:
    """Write one backup file at ``target`` (a directory: a dated name inside it)."""
    from tribune.audit import checkpoints
    from tribune.organisations.models import Organisation

    engine = _engine(alias)
    target = Path(target)
    if target.is_dir():
        target = target / backup_name()
    # Checkpoints first: the database copied after them holds every entry they vouch for.
    signed = {org.slug: checkpoints.issue(org).document for org in Organisation.objects.all()}
    manifest = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "engine": engine,
        "migrations": _applied_migrations(alias),
        "checkpoints": signed,
        "audit_key": "not included: keep the audit key file apart (docs/deploy.md)",
    }
    with tempfile.TemporaryDirectory(prefix="tribune-backup-") as work:
        if engine == "sqlite":
            database = Path(work) / "database.sqlite3"
            _copy_sqlite(str(connections[alias].settings_dict["NAME"]), str(database))
        else:
            database = Path(work) / "database.pgdump"
            args, env = _pg_args(alias)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(database),
                    *args,
                ],
                env,
            )
        partial = target.with_name(f".{target.name}.partial")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with tarfile.open(partial, "w:gz") as tar:
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
                tar.add(database, arcname=database.name)
                media = _media_root()
                if media is not None:
                    tar.add(media, arcname="media")
            os.chmod(partial, 0o600)  # members' records: for the operator's eyes only
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return target


def prune(directory: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``directory``; return what was deleted."""
    files = sorted(p for p in Path(directory).iterdir() if NAME.match(p.name))
    doomed = files[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


def scheduled_backup() -> dict:
    """The nightly backup (a huey task): one new file, keeping the newest TRIBUNE_BACKUP_KEEP."""
    directory = Path(settings.TRIBUNE_BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = create(directory)
    removed = prune(directory, settings.TRIBUNE_BACKUP_KEEP)
    return {"file": str(path), "removed": [p.name for p in removed]}


# --- restore -----------------------------------------------------------------------------


def is_empty(alias: str = "default") -> bool:
    """No organisation, account or audit entry: nothing a restore could overwrite."""
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("organisations_organisation", "auth_user", "audit_auditentry"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return False
    return True


@dataclass
class Restored:
    organisations: dict[str, str] = field(default_factory=dict)  # slug -> outcome line
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.extractfile("manifest.json")
        manifest = json.load(member)
    except (KeyError, AttributeError, ValueError):
        raise BackupError("This is not a Tribune backup: it has no readable manifest.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format (expected {FORMAT}).")
    return manifest


def _unknown_migrations(manifest: dict, alias: str) -> list[str]:
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True, load=True)
    known = set(loader.disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if (app, name) not in known
    ]


def _drop_tables(alias: str) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")


def _check_sqlite(database: Path) -> None:
    """Refuse a damaged database file before the server's own is touched."""
    try:
        check = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in check.execute("PRAGMA integrity_check")]
        finally:
            check.close()
    except sqlite3.DatabaseError as error:
        problems = [str(error)]
    if problems != ["ok"]:
        raise BackupError(
            f"The backup's database is damaged ({'; '.join(problems[:3])}): nothing was "
            "restored, the server is as it was."
        )


def _postgres_scripts(dump: Path, work: Path, alias: str) -> list[Path]:
    """The restore as SQL: drop every table the server has, then the dump's contents.

    ``pg_restore`` turns the dump into a script first, so a damaged dump is
    refused before the database is touched; ``_replace_postgres`` then runs the
    scripts as one transaction.
    """
    connection = connections[alias]
    drops = work / "drop.sql"
    drops.write_text(
        "SET client_min_messages = warning;\n"  # not a NOTICE per cascaded constraint
        + "".join(
            f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE;\n"
            for table in connection.introspection.table_names()
        )
    )
    script = work / "restore.sql"
    _run(
        ["pg_restore", "--no-owner", "--no-privileges", "--file", str(script), str(dump)],
        dict(os.environ),
        "The backup's database dump is damaged: nothing was restored, the server is as it was.",
    )
    return [drops, script]


def _replace_postgres(scripts: list[Path], alias: str) -> None:
    """Run the scripts in one transaction: any error rolls back the drops as well."""
    args, env = _pg_args(alias)
    files = [arg for script in scripts for arg in ("--file", str(script))]
    _run(
        ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1"]
        + files
        + args,
        env,
        "The restore failed and was rolled back: nothing was restored, the server is as it was.",
    )


def _safe_members(tar: tarfile.TarFile, prefix: str) -> list[tarfile.TarInfo]:
    return [m for m in tar.getmembers() if m.name == prefix or m.name.startswith(prefix + "/")]


def restore(path: str | Path, *, force: bool = False, alias: str = "default") -> Restored:
    """Bring back the backup at ``path``, then verify every audit chain against its checkpoints.

    Refuses (``BackupError``) a server that already holds an organisation, an
    account or an audit entry unless ``force``, a file of another database
    engine, and a file made by a newer Tribune (migrations this one lacks).
    """
    from django.core.management import call_command

    engine = _engine(alias)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    try:
        tar = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{path} is not a readable backup: {error}") from None
    result = Restored()
    with tar, tempfile.TemporaryDirectory(prefix="tribune-restore-") as work:
        manifest = read_manifest(tar)
        if manifest.get("engine") != engine:
            raise BackupError(
                f"The backup is of a {manifest.get('engine')} database and this server uses "
                f"{engine}: restore it on a server configured like the one it came from."
            )
        unknown = _unknown_migrations(manifest, alias)
        if unknown:
            raise BackupError(
                "The backup was made by a newer Tribune (it has migrations this one lacks: "
                f"{', '.join(unknown[:5])}): upgrade Tribune first."
            )
        if not is_empty(alias) and not force:
            raise BackupError(
                "This server already holds organisations, accounts or audit entries; a restore "
                "would replace them. Restore onto an empty database, or pass --force to replace "
                "everything in it."
            )
        name = "database.sqlite3" if engine == "sqlite" else "database.pgdump"
        members = _safe_members(tar, name)
        if not members:
            raise BackupError(f"The backup has no {name}.")
        tar.extractall(work, members=members, filter="data")
        database = Path(work) / name
        connection = connections[alias]
        if engine == "sqlite":
            from tribune.lib.sqlite.base import drop_pool

            _check_sqlite(database)
            target = str(connection.settings_dict["NAME"])
            connection.close()
            drop_pool(target)
            # The backup API writes the whole copy in one transaction of the target:
            # an error part-way rolls it back, and the server keeps what it had.
            _copy_sqlite(str(database), target)
        else:
            scripts = _postgres_scripts(database, Path(work), alias)
            connection.close()
            _replace_postgres(scripts, alias)
        media = _media_root() or (
            Path(settings.MEDIA_ROOT) if getattr(settings, "MEDIA_ROOT", "") else None
        )
        files = _safe_members(tar, "media")
        if files:
            if media is None:
                result.notes.append("The backup holds uploaded files but MEDIA_ROOT is not set.")
            else:
                staging = Path(work) / "files"
                tar.extractall(staging, members=files, filter="data")
                if media.exists():
                    shutil.rmtree(media)
                shutil.copytree(staging / "media", media)
    if _pending_migrations(alias):
        call_command("migrate", interactive=False, verbosity=0, database=alias)
        result.notes.append("The backup came from an older Tribune: its schema was migrated.")
    _verify(manifest, result)
    return result


def _pending_migrations(alias: str) -> list:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def trusted_keys(manifest: dict) -> tuple[set[str], str | None]:
    """Keys the file's checkpoints must be signed by, and a note when the server has none.

    With the audit key on this server: that key only. Without it (a new server
    whose key is still in the safe): the keys the file's own checkpoints name,
    which proves only that the file agrees with itself — the note says so and
    gives the ids to compare with the kept key's.
    """
    from tribune.audit import keys

    if keys.key_file().exists():
        return {keys.public_key()}, None
    named = {
        doc["body"]["server"]["public_key"]
        for doc in manifest.get("checkpoints", {}).values()
        if isinstance(doc, dict) and isinstance(doc.get("body"), dict)
    }
    ids = ", ".join(sorted(keys.key_id(k) for k in named)) or "none"
    return named, (
        f"The audit key is not on this server ({keys.key_file()}): the checkpoints were "
        f"checked against the key the backup names (id {ids}). Compare it with the key you "
        "kept, and put that key file in place before starting Tribune."
    )


def _verify(manifest: dict, result: Restored) -> None:
    from tribune.audit import checkpoints
    from tribune.audit.log import verify_chain
    from tribune.organisations.models import Organisation

    keys, note = trusted_keys(manifest)
    if note:
        result.notes.append(note)
    documents = manifest.get("checkpoints", {})
    organisations = {org.slug: org for org in Organisation.objects.all()}
    for slug in sorted(set(documents) - set(organisations)):
        result.problems.append(f"{slug}: in the backup's checkpoints but not in its database.")
    for slug, org in sorted(organisations.items()):
        if slug in documents:
            outcome = checkpoints.verify(org, documents[slug], trusted_keys=keys)
            if outcome.ok:
                result.organisations[slug] = (
                    f"{slug}: OK ({outcome.entries} entries; checkpoint "
                    f"#{outcome.checkpoint_seq} holds)"
                )
            else:
                result.problems.append(f"{slug}: BROKEN: {outcome.reason}")
        else:
            chain = verify_chain(org)
            if chain.ok:
                result.organisations[slug] = f"{slug}: OK ({chain.entries} entries; no checkpoint)"
            else:
                result.problems.append(
                    f"{slug}: BROKEN at entry #{chain.broken_seq}: {chain.reason}"
                )
