"""The hash chain catches any tampering, and nothing in Tribune can edit it."""

from datetime import UTC

import pytest
from django.core.management import call_command
from django.db import connection

from tribune.audit.log import record, verify_chain
from tribune.audit.models import AuditEntry
from tribune.lib.errors import RuleViolation


def test_the_world_chain_verifies(world):
    result = verify_chain(world.org)
    assert result.ok and result.entries == world.org.audit_entries.count() > 10


def test_a_tampered_row_is_caught_at_that_row(world):
    entry = world.org.audit_entries.get(seq=5)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET action = %s WHERE id = %s", ["member.pardoned", entry.id]
        )
    result = verify_chain(world.org)
    assert (result.ok, result.broken_seq) == (False, 5)
    assert "hash" in result.reason


def test_a_deleted_row_is_caught(world):
    entry = world.org.audit_entries.get(seq=3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.id])
    result = verify_chain(world.org)
    assert (result.ok, result.broken_seq) == (False, 3)


def test_a_rewritten_chain_tail_is_caught(world):
    """Recomputing one row's hash is not enough: the next row still points at the old one."""
    from tribune.audit.log import _digest

    entry = world.org.audit_entries.get(seq=4)
    entry.action = "forged"
    forged = _digest(entry)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET action = %s, hash = %s WHERE id = %s",
            ["forged", forged, entry.id],
        )
    result = verify_chain(world.org)
    assert (result.ok, result.broken_seq) == (False, 5)


def test_the_log_refuses_edits_and_deletes_through_the_orm(world):
    entry = world.org.audit_entries.first()
    entry.action = "changed"
    with pytest.raises(RuleViolation):
        entry.save()
    with pytest.raises(RuleViolation):
        entry.delete()
    with pytest.raises(RuleViolation):
        AuditEntry.objects.filter(organisation=world.org).update(action="x")
    with pytest.raises(RuleViolation):
        AuditEntry.objects.filter(organisation=world.org).delete()


def test_entries_survive_a_json_round_trip(world):
    from datetime import datetime

    record(world.org, "test.data", data={"when": datetime(2026, 1, 1, tzinfo=UTC)})
    assert verify_chain(world.org).ok


def test_audit_verify_command_exit_status(world, capsys):
    call_command("audit", "verify")
    assert "test-union: OK" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET target = 'x' WHERE seq = 2")
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify")
    assert exited.value.code == 1
    assert "BROKEN at entry #2" in capsys.readouterr().out
