"""Upgrades: a database made by an earlier release's demo, migrated to this release's schema.

The snapshots in ``data/`` are ``tribune backup`` files of the demo as an earlier
release built it with its own code (``scripts/make_upgrade_snapshot.sh``; the
commit is in ``data/RELEASE``), with the figures it had (``snapshot-<engine>.json``).
Restoring one onto this release runs the migrations it lacks (what ``tribune
migrate`` does on an upgrade); then every member, ballot and audit entry must
still be there and every audit chain must verify against the checkpoints signed
before the upgrade.
"""

import json
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from tribune.ops import backup
from tribune.ops.tests.figures import figures

DATA = Path(__file__).parent / "data"


@pytest.mark.django_db(transaction=True)
def test_the_previous_release_demo_migrates_with_its_data_and_chains(settings, tmp_path):
    snapshot = DATA / f"snapshot-{connection.vendor}.tar.gz"
    if not snapshot.exists():
        pytest.skip(f"no {connection.vendor} snapshot committed")
    expected = json.loads(snapshot.with_suffix("").with_suffix(".json").read_text())
    # A server without the snapshot's audit key: checkpoints are checked against the key
    # the snapshot names (its chains were signed by the server that made it).
    settings.TRIBUNE_AUDIT_KEY_FILE = str(tmp_path / "absent.pem")
    with tarfile.open(snapshot) as tar:
        behind = backup.read_manifest(tar)["migrations"]
    result = backup.restore(snapshot, force=True)
    assert result.ok, result.problems
    assert set(result.organisations) == set(expected["heads"])
    assert all(" OK " in line for line in result.organisations.values())
    assert backup._pending_migrations("default") == []
    now = backup._applied_migrations("default")
    migrated = {(a, n) for a, ns in now.items() for n in ns} - {
        (a, n) for a, ns in behind.items() for n in ns
    }
    if (DATA / "RELEASE").read_text().strip() != "current":
        assert migrated, "the snapshot should be older than this schema"
    got = figures()
    assert got == expected
