"""Signed checkpoints catch what the hash chain alone cannot: a cut tail, a rehashed rewrite.

Each attack is first shown to pass ``verify_chain`` (the old ``audit verify``),
then to be caught by a checkpoint kept outside the database.
"""

import json
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from tribune.audit import checkpoints, keys
from tribune.audit.log import _digest, record, verify_chain
from tribune.audit.models import AuditEntry, Checkpoint


def _truncate(org, keep: int) -> None:
    """The operator deletes every entry after ``keep``, behind the application's back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditentry WHERE organisation_id = %s AND seq > %s", [org.pk, keep]
        )


def _rewrite_and_rehash(org, seq: int) -> None:
    """The operator changes entry ``seq`` and recomputes every hash from there on."""
    entries = list(AuditEntry.objects.filter(organisation=org, seq__gte=seq).order_by("seq"))
    prev = AuditEntry.objects.get(organisation=org, seq=seq - 1).hash
    with connection.cursor() as cursor:
        for entry in entries:
            if entry.seq == seq:
                entry.action = "member.pardoned"
            entry.prev_hash = prev
            entry.hash = prev = _digest(entry)
            cursor.execute(
                "UPDATE audit_auditentry SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [entry.action, entry.prev_hash, entry.hash, entry.id],
            )


def _kept(world) -> dict:
    """A checkpoint as an auditor keeps it: JSON, out of the database's reach."""
    return json.loads(json.dumps(checkpoints.issue(world.org).document))


def test_a_checkpoint_vouches_for_the_chain_as_it_stands(world):
    document = _kept(world)
    body = document["body"]
    assert body["format"] == "tribune-audit-checkpoint/1"
    assert body["organisation"] == "test-union"
    assert body["seq"] == world.org.audit_entries.count()
    assert body["head"] == world.org.audit_entries.get(seq=body["seq"]).hash
    assert body["server"]["public_key"] == keys.public_key()
    result = checkpoints.verify(world.org, document)
    assert result.ok, result.reason
    assert result.signers == [body["server"]["key_id"]]
    # The chain grows: the old checkpoint still holds.
    record(world.org, "test.later")
    assert checkpoints.verify(world.org, document).ok


def test_truncation_is_detected(world):
    document = _kept(world)
    _truncate(world.org, document["body"]["seq"] - 3)
    assert verify_chain(world.org).ok  # the chain alone cannot tell
    result = checkpoints.verify(world.org, document)
    assert not result.ok
    assert "truncated" in result.reason
    assert result.broken_seq == document["body"]["seq"] - 2


def test_truncation_then_regrowth_is_detected(world):
    """Cutting the tail and appending new entries up to the same length is rewriting."""
    document = _kept(world)
    _truncate(world.org, document["body"]["seq"] - 2)
    for _ in range(3):
        record(world.org, "test.replacement")
    assert verify_chain(world.org).ok
    result = checkpoints.verify(world.org, document)
    assert not result.ok and "rewritten" in result.reason


def test_rewrite_and_rehash_is_detected(world):
    document = _kept(world)
    _rewrite_and_rehash(world.org, 4)
    assert verify_chain(world.org).ok  # every hash recomputed: the chain alone cannot tell
    result = checkpoints.verify(world.org, document)
    assert not result.ok
    assert "rewritten" in result.reason
    assert result.broken_seq == document["body"]["seq"]


def test_a_forged_checkpoint_is_rejected(world):
    document = _kept(world)
    # An edited body no longer matches its signature.
    edited = json.loads(json.dumps(document))
    edited["body"]["seq"] -= 1
    edited["body"]["head"] = world.org.audit_entries.get(seq=edited["body"]["seq"]).hash
    result = checkpoints.verify(world.org, edited)
    assert not result.ok and "does not verify" in result.reason
    # A well-signed checkpoint by a key that is not this server's.
    intruder = Ed25519PrivateKey.generate()
    public = keys.encode_public_key(intruder.public_key())
    body = dict(document["body"], server={"key_id": keys.key_id(public), "public_key": public})
    forged = {"body": body, "signatures": [keys.sign(checkpoints.canonical(body), intruder)]}
    result = checkpoints.verify(world.org, forged)
    assert not result.ok and "not signed by this server" in result.reason
    # The server's signature lifted onto another body, and junk.
    lifted = {"body": body, "signatures": document["signatures"]}
    assert "does not verify" in checkpoints.verify(world.org, lifted).reason
    garbage = json.loads(json.dumps(document))
    garbage["signatures"][0]["signature"] = "not base64!"
    assert "does not verify" in checkpoints.verify(world.org, garbage).reason
    for junk in (None, [], {"body": {}}, {"body": document["body"], "signatures": []}):
        assert not checkpoints.verify(world.org, junk).ok


def test_a_countersignature_by_a_second_key_verifies(world):
    document = _kept(world)
    witness = Ed25519PrivateKey.generate()
    witnessed = checkpoints.countersign(document, witness)
    assert witnessed["body"] == document["body"]
    result = checkpoints.verify(world.org, witnessed)
    assert result.ok, result.reason
    witness_id = keys.key_id(keys.encode_public_key(witness.public_key()))
    assert result.signers == [document["body"]["server"]["key_id"], witness_id]
    # A bad countersignature spoils the document.
    witnessed["signatures"][1]["signature"] = document["signatures"][0]["signature"]
    assert "does not verify" in checkpoints.verify(world.org, witnessed).reason


def test_a_checkpoint_for_another_organisation_is_refused(world):
    document = _kept(world)
    document["body"]["organisation"] = "other-union"
    assert not checkpoints.verify(world.org, document).ok


def test_the_key_file_is_created_once_with_mode_0600(settings, tmp_path):
    settings.TRIBUNE_AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit.pem")
    first = keys.public_key()
    path = tmp_path / "keys" / "audit.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    keys._load.cache_clear()
    assert keys.public_key() == first  # read back, not regenerated
    settings.TRIBUNE_AUDIT_KEY_FILE = str(tmp_path / "other.pem")
    assert keys.public_key() != first


def test_verify_command_with_a_checkpoint_file(world, tmp_path, capsys):
    path = tmp_path / "checkpoint.json"
    path.write_text(json.dumps(_kept(world)))
    args = ["audit", "verify", "--organisation", "test-union", "--checkpoint", str(path)]
    call_command(*args)
    assert "test-union: OK" in capsys.readouterr().out
    _rewrite_and_rehash(world.org, 5)
    with pytest.raises(SystemExit) as exited:
        call_command(*args)
    assert exited.value.code == 1
    assert "rewritten" in capsys.readouterr().out
    path.write_text("{not json")
    with pytest.raises(CommandError) as refused:
        call_command(*args)
    assert refused.value.returncode == 2


def test_verify_command_catches_truncation_from_the_recorded_checkpoint(world, capsys):
    checkpoints.issue(world.org)
    call_command("audit", "verify", "--since-last-checkpoint")
    assert "test-union: OK" in capsys.readouterr().out
    _truncate(world.org, 5)
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify")
    assert exited.value.code == 1
    assert "truncated" in capsys.readouterr().out


def test_checkpoint_and_export_commands(world, capsys):
    call_command("audit", "checkpoint", "--organisation", "test-union")
    document = json.loads(capsys.readouterr().out)
    assert checkpoints.verify(world.org, document).ok
    call_command("audit", "export", "--organisation", "test-union")
    exported = json.loads(capsys.readouterr().out)
    assert exported["checkpoint"]["body"]["seq"] == exported["entries"][-1]["seq"]


def test_the_api_publishes_and_verifies_checkpoints(world):
    client = Client()  # anyone, logged out
    base = f"/api/v1/organisations/{world.org.slug}/audit"
    response = client.get(f"{base}/checkpoint")
    assert response.status_code == 200
    document = response.json()
    assert document["body"]["seq"] == world.org.audit_entries.count()

    def verify(doc):
        return client.post(f"{base}/verify", json.dumps(doc), content_type="application/json")

    response = verify(document)
    assert response.status_code == 200 and response.json()["ok"] is True
    forged = json.loads(json.dumps(document))
    forged["body"]["head"] = "0" * 64
    assert verify(forged).json()["ok"] is False
    assert verify({"body": 1}).status_code == 422
    assert verify(dict(document, extra=1)).status_code == 422
    _truncate(world.org, 3)
    result = verify(document).json()
    assert (result["ok"], result["checkpoint_seq"]) == (False, document["body"]["seq"])
    assert "truncated" in result["reason"]
    assert (
        client.post(
            "/api/v1/organisations/nowhere/audit/verify",
            json.dumps(document),
            content_type="application/json",
        ).status_code
        == 404
    )
    page = client.get(base)
    assert page.headers["Link"] == f'<{base}/checkpoint>; rel="checkpoint"'
    schema = client.get("/api/v1/openapi.json").json()
    assert "get" in schema["paths"]["/api/v1/organisations/{slug}/audit/checkpoint"]
    assert "post" in schema["paths"]["/api/v1/organisations/{slug}/audit/verify"]


def test_an_export_can_be_checked_by_anyone_without_tribune(world):
    """Recompute every hash of an export from the documented canonical form, and its checkpoint."""
    import hashlib

    exported = Client().get(f"/api/v1/organisations/{world.org.slug}/audit/export").json()
    prev = "0" * 64
    for entry in exported["entries"]:
        body = {
            "organisation": exported["organisation_id"],
            "seq": entry["seq"],
            "at": entry["at"],
            "actor": entry["actor_id"],
            "term": entry["term_id"],
            "action": entry["action"],
            "target": entry["target"],
            "data": entry["data"],
            "prev": prev,
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        assert hashlib.sha256(canonical.encode()).hexdigest() == entry["hash"]
        prev = entry["hash"]
    assert exported["checkpoint"]["body"]["head"] == prev
    assert checkpoints.check_signatures(exported["checkpoint"])


def test_the_clock_keeps_issuing_checkpoints(world):
    from tribune.audit.tasks import checkpoint_clock

    assert checkpoint_clock.call_local() == {"issued": 1}
    assert checkpoint_clock.call_local() == {"issued": 0}  # nothing moved
    record(world.org, "test.moved")
    assert checkpoint_clock.call_local() == {"issued": 1}
    latest = Checkpoint.objects.filter(organisation=world.org).order_by("-seq").first()
    assert latest.seq == world.org.audit_entries.count()
    assert checkpoints.verify_since_last(world.org).ok


def test_issued_checkpoints_are_kept_as_issued(world):
    from tribune.lib.errors import RuleViolation

    checkpoint = checkpoints.issue(world.org)
    with pytest.raises(RuleViolation):
        checkpoint.save()
    with pytest.raises(RuleViolation):
        Checkpoint.objects.all().delete()


def test_the_audit_page_links_the_checkpoint(world):
    html = Client().get(f"/o/{world.org.slug}/audit/").content.decode()
    assert f"/api/v1/organisations/{world.org.slug}/audit/checkpoint" in html
    assert f"/api/v1/organisations/{world.org.slug}/audit/export" in html


def test_the_checkpointed_entry_deleted_is_an_answer_not_an_error(world):
    document = _kept(world)
    record(world.org, "test.after")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditentry WHERE organisation_id = %s AND seq = %s",
            [world.org.pk, document["body"]["seq"]],
        )
    result = checkpoints.verify(world.org, document)
    assert not result.ok and "rewritten" in result.reason


def test_a_key_file_others_can_read_is_reported(settings, tmp_path, caplog):
    settings.TRIBUNE_AUDIT_KEY_FILE = str(tmp_path / "audit.pem")
    keys.public_key()
    os.chmod(tmp_path / "audit.pem", 0o644)
    keys._load.cache_clear()
    keys.public_key()
    assert "readable by others" in caplog.text
