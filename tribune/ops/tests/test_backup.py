"""`tribune backup` / `tribune restore`: a round trip that loses nothing, on SQLite and PostgreSQL.

Each test runs on the real test database (a file, or PostgreSQL when
DATABASE_URL says so); "a fresh server" is that database emptied (the SQLite
file deleted, or every PostgreSQL table dropped) before the restore. The backup taken
while ballots are cast is restored as on a new server: ``tribune restore`` in a process
of its own, on a new data directory (and a new PostgreSQL database).
"""

import contextlib
import io
import json
import os
import sqlite3
import tarfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from tribune.audit.log import record, verify_chain
from tribune.audit.models import AuditEntry, Checkpoint
from tribune.elections import services
from tribune.elections.models import Ballot, Election
from tribune.members.models import Member
from tribune.offices.models import BodyKind
from tribune.offices.services import create_body, create_office
from tribune.ops import backup
from tribune.organisations.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)


def empty_the_server() -> None:
    """What a new server has: no database at all (SQLite) or no tables (PostgreSQL)."""
    if connection.vendor == "sqlite":
        from tribune.lib.sqlite.base import drop_pool

        name = str(connection.settings_dict["NAME"])
        connection.close()
        drop_pool(name)
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    else:
        backup._drop_tables("default")
    assert backup.is_empty()


def chains() -> dict[str, tuple[int, str]]:
    heads = {}
    for org in Organisation.objects.all():
        last = AuditEntry.objects.filter(organisation=org).order_by("-seq").first()
        heads[org.slug] = (last.seq, last.hash)
        assert verify_chain(org).ok
    return heads


def test_backup_then_restore_on_an_empty_server_brings_everything_back(live_world, tmp_path):
    before = {
        "members": sorted(Member.objects.values_list("name", flat=True)),
        "chains": chains(),
        "checkpoints": Checkpoint.objects.count(),
    }
    written = backup.create(tmp_path)
    assert backup.NAME.match(written.name) and written.stat().st_mode & 0o077 == 0
    with tarfile.open(written) as tar:
        names = tar.getnames()
        manifest = backup.read_manifest(tar)
    assert (
        "manifest.json" in names
        and f"database.{'sqlite3' if connection.vendor == 'sqlite' else 'pgdump'}" in names
    )
    assert not [n for n in names if "key" in n.lower()]  # the audit key stays out
    assert set(manifest["checkpoints"]) == {"test-union"}

    empty_the_server()
    out = io.StringIO()
    call_command("restore", str(written), stdout=out)
    assert "test-union: OK" in out.getvalue() and "every audit chain verifies" in out.getvalue()
    assert sorted(Member.objects.values_list("name", flat=True)) == before["members"]
    assert chains() == before["chains"]
    # the backup's own checkpoint was issued before the copy: it is in the database too
    assert Checkpoint.objects.count() == before["checkpoints"] + 1


def test_a_restore_refuses_a_server_that_is_not_empty(live_world, tmp_path):
    written = backup.create(tmp_path / "one.tar.gz")
    record(live_world.org, "organisation.renamed", data={"name": "After the backup"})
    with pytest.raises(CommandError, match="already holds") as refused:
        call_command("restore", str(written), stdout=io.StringIO())
    assert refused.value.returncode == 2
    assert AuditEntry.objects.filter(action="organisation.renamed").exists()  # untouched

    call_command("restore", str(written), force=True, stdout=io.StringIO())
    assert not AuditEntry.objects.filter(action="organisation.renamed").exists()
    assert verify_chain(Organisation.objects.get()).ok


def test_a_restore_finds_a_backup_whose_checkpoint_does_not_hold(live_world, tmp_path):
    written = backup.create(tmp_path / "good.tar.gz")
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(written) as source, tarfile.open(forged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["checkpoints"]["test-union"]["body"]["head"] = "0" * 64
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    empty_the_server()
    result = backup.restore(forged)
    assert not result.ok
    assert result.problems == [
        "test-union: BROKEN: The signature by key "
        f"{json.loads(json.dumps(manifest))['checkpoints']['test-union']['signatures'][0]['key_id']}"
        " does not verify."
    ]


def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(backup.BackupError, match="not a readable backup"):
        backup.restore(junk)


def test_prune_keeps_the_newest(tmp_path):
    for day in range(1, 6):
        (tmp_path / f"tribune-2026110{day}T031700Z.tar.gz").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("kept")
    removed = backup.prune(tmp_path, 2)
    assert [p.name for p in removed] == [f"tribune-2026110{d}T031700Z.tar.gz" for d in (1, 2, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt",
        "tribune-20261104T031700Z.tar.gz",
        "tribune-20261105T031700Z.tar.gz",
    ]


def test_the_scheduled_backup_keeps_the_last_n(live_world, tmp_path, settings):
    settings.TRIBUNE_BACKUP_DIR = str(tmp_path)
    settings.TRIBUNE_BACKUP_KEEP = 1
    (tmp_path / "tribune-20200101T000000Z.tar.gz").write_bytes(b"old")
    from tribune.ops.tasks import nightly_backup

    outcome = nightly_backup.call_local()
    assert outcome["removed"] == ["tribune-20200101T000000Z.tar.gz"]
    assert [p.name for p in tmp_path.iterdir()] == [Path(outcome["file"]).name]


def test_a_backup_taken_while_ballots_are_cast_holds_every_acknowledged_ballot(
    live_world, tmp_path
):
    """Voters keep voting during the backup; every ballot acknowledged before it began is in it."""
    from conftest import make_user
    from tribune.members.services import admit_member, apply_for_membership

    world = live_world
    voters = [world.ben, world.cam, world.dana, world.eli]
    for n in range(8):
        user = make_user(f"voter{n}")
        applicant = apply_for_membership(
            world.org, user=user, name=f"Voter {n}", email=user.email, branch=world.millbrook
        )
        admit_member(world.ana, applicant)
        voters.append(Member.objects.get(pk=applicant.pk))
    body = create_body(world.org, name="Executive committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Secretary", mandate="Keep the records.", term_days=365)
    election = services.call_election(world.ana, office=office)
    ben = services.nominate(world.ben, election, world.ben)
    services.advance(election, election.voting_open_at)
    Election.objects.filter(pk=election.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1)
    )
    election = Election.objects.get(pk=election.pk)

    acknowledged: list[str] = []
    half = threading.Event()
    failures: list[Exception] = []

    def vote() -> None:
        try:
            for voter in voters:
                acknowledged.append(services.cast_ballot(voter, election, [ben.pk]).tracker)
                if len(acknowledged) == len(voters) // 2:
                    half.set()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
            half.set()
        finally:
            connection.close()

    voting = threading.Thread(target=vote)
    voting.start()
    assert half.wait(timeout=60)
    before_backup = list(acknowledged)
    written = backup.create(tmp_path)
    voting.join(timeout=120)
    assert not failures, failures
    assert len(acknowledged) == len(voters)

    restored = restore_on_a_fresh_server(written, tmp_path / "new-server")
    assert set(before_backup) <= restored
    assert len(before_backup) >= len(voters) // 2
    assert restored <= set(Ballot.objects.values_list("tracker", flat=True))


def restore_on_a_fresh_server(written: Path, data: Path) -> set[str]:
    """``tribune restore FILE`` as on a new server: its own process, a new data directory
    (and a new PostgreSQL database), with only the kept audit key put in place. Returns the
    restored ballots' trackers, read straight from the new server's database."""
    import shutil
    import subprocess
    import sys

    from django.conf import settings

    from tribune.elections import loadtest

    data.mkdir()
    shutil.copy(settings.TRIBUNE_AUDIT_KEY_FILE, data / "audit-signing-key.pem")
    env = loadtest.server_env(data, None)
    env["TRIBUNE_AUDIT_KEY_FILE"] = str(data / "audit-signing-key.pem")
    with contextlib.ExitStack() as stack:
        url = None
        if connection.vendor == "postgresql":
            admin = os.environ["DATABASE_URL"]
            url = stack.enter_context(
                loadtest.throwaway_postgres(admin, f"tribune_restore_{os.getpid()}")
            )
            env["DATABASE_URL"] = url
        done = subprocess.run(
            [sys.executable, "-m", "tribune.cli", "restore", str(written)],
            env=env,
            cwd=loadtest.ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "every audit chain verifies" in done.stdout, done.stdout
        query = "SELECT tracker FROM elections_ballot"
        if url is None:
            with contextlib.closing(sqlite3.connect(data / "tribune.sqlite3")) as db:
                return {row[0] for row in db.execute(query)}
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
            return {row[0] for row in db.execute(query)}


def test_a_backup_from_another_server_key_does_not_verify_here(live_world, tmp_path, settings):
    """The restoring server's own audit key decides; without one, the file's key is named."""
    from tribune.audit import keys

    written = backup.create(tmp_path / "a.tar.gz")
    settings.TRIBUNE_AUDIT_KEY_FILE = str(tmp_path / "other-server.pem")
    keys.private_key()  # this server has a key of its own, not the one that signed
    empty_the_server()
    result = backup.restore(written)
    assert result.problems == [
        "test-union: BROKEN: The checkpoint is not signed by this server's key."
    ]

    settings.TRIBUNE_AUDIT_KEY_FILE = str(tmp_path / "absent.pem")
    result = backup.restore(written, force=True)
    assert result.ok, result.problems
    (note,) = result.notes
    assert "The audit key is not on this server" in note and "id " in note
    assert not (tmp_path / "absent.pem").exists()  # a restore never makes a key


def _damaged_copy(written: Path, target: Path) -> Path:
    """The backup with its database file damaged (SQLite's header, or half a pg_dump)."""
    with tarfile.open(written) as source, tarfile.open(target, "w:gz") as damaged:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "database.sqlite3":
                data = b"not a database, " * 8 + data[128:]
            elif member.name == "database.pgdump":
                data = data[: len(data) // 2]
            member.size = len(data)
            damaged.addfile(member, io.BytesIO(data))
    return target


def _server_state() -> tuple:
    return (
        sorted(Member.objects.values_list("name", flat=True)),
        chains(),
        AuditEntry.objects.filter(action="organisation.renamed").count(),
    )


def test_a_failed_restore_leaves_the_server_as_it_was(live_world, tmp_path, monkeypatch):
    """--force replaces the server only if the whole restore succeeds; any failure keeps it."""
    written = backup.create(tmp_path / "good.tar.gz")
    record(live_world.org, "organisation.renamed", data={"name": "After the backup"})
    before = _server_state()
    assert before[2] == 1

    # 1. A damaged database in the file: refused before the server's database is touched.
    damaged = _damaged_copy(written, tmp_path / "damaged.tar.gz")
    with pytest.raises(backup.BackupError, match="damaged.*the server is as it was"):
        backup.restore(damaged, force=True)
    assert _server_state() == before

    # 2. A failure part-way through replacing the database rolls everything back.
    if connection.vendor == "postgresql":
        # The very last statement fails, after every table was dropped and reloaded.
        scripts = backup._postgres_scripts

        def failing_at_the_end(dump, work, alias):
            failing = work / "fail.sql"
            failing.write_text("SELECT 1 / 0;\n")
            return [*scripts(dump, work, alias), failing]

        monkeypatch.setattr(backup, "_postgres_scripts", failing_at_the_end)
        with pytest.raises(backup.BackupError, match="(?s)rolled back.*division by zero"):
            backup.restore(written, force=True)
    else:
        # Past the file's check, SQLite's backup API meets the damage: its write
        # transaction on the server's database is rolled back.
        monkeypatch.setattr(backup, "_check_sqlite", lambda database: None)
        with pytest.raises(Exception, match="not a database"):
            backup.restore(damaged, force=True)
    connection.close()
    assert _server_state() == before

    monkeypatch.undo()
    assert backup.restore(written, force=True).ok  # and the good file still restores
    assert _server_state()[2] == 0
