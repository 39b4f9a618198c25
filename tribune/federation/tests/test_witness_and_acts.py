"""Witnessing a peer's checkpoints, and acts forwarded from other servers, in one process.

A "remote server" is a key of its own and a ``Peer`` row; its audit checkpoints
are signed with another key, as its own audit key would.
"""

import uuid
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from tribune.audit import checkpoints
from tribune.audit import keys as audit_keys
from tribune.federation import network_bridge, witness
from tribune.federation.models import Delivery, WitnessAlarm, Witnessed
from tribune.federation.tests.test_inbox import REMOTE
from tribune.lib.errors import RuleViolation


@pytest.fixture(autouse=True)
def server_key(settings, tmp_path):
    settings.TRIBUNE_FEDERATION_KEY_FILE = str(tmp_path / "federation-key.pem")


AUDIT_KEY = Ed25519PrivateKey.generate()


def checkpoint(seq: int, head: str) -> dict:
    public = audit_keys.encode_public_key(AUDIT_KEY.public_key())
    body = {
        "format": checkpoints.FORMAT,
        "organisation": "remote-union",
        "seq": seq,
        "head": head,
        "at": timezone.now().replace(microsecond=0).isoformat(),
        "server": {"key_id": audit_keys.key_id(public), "public_key": public},
    }
    return {"body": body, "signatures": [audit_keys.sign(checkpoints.canonical(body), AUDIT_KEY)]}


def offer(peer, document) -> None:
    witness.checkpoint_offered(
        peer,
        {
            "type": "Offer",
            "object": {
                "type": witness.CHECKPOINT,
                "document": document,
                "entries": f"{REMOTE}/federation/audit/remote-union/entries/",
            },
        },
    )


def test_a_witness_countersigns_and_keeps_its_copy(peer):
    offer(peer, checkpoint(5, "a" * 64))
    kept = Witnessed.objects.get()
    assert kept.seq == 5 and len(kept.document["signatures"]) == 2
    assert checkpoints.check_signatures(kept.document)  # both signatures verify
    sent = Delivery.objects.get(peer=peer).activity
    assert (sent.type, sent.object_type) == ("Accept", witness.CHECKPOINT)


def test_a_truncated_or_rewritten_log_is_caught_by_the_witness(peer):
    offer(peer, checkpoint(5, "a" * 64))
    offer(peer, checkpoint(3, "b" * 64))  # fewer entries than witnessed
    offer(peer, checkpoint(5, "c" * 64))  # the same entry, another hash
    # A longer log whose witnessed entry #5 is gone (the origin answers 404 for it).
    with mock.patch.object(witness, "_entry_hash", return_value=None):
        offer(peer, checkpoint(9, "d" * 64))
    with mock.patch.object(witness, "_entry_hash", return_value="e" * 64):
        offer(peer, checkpoint(9, "d" * 64))
    reasons = list(WitnessAlarm.objects.order_by("pk").values_list("reason", flat=True))
    assert len(reasons) == 4
    assert "truncated" in reasons[0] and "rewritten" in reasons[1]
    assert "truncated" in reasons[2] and "rewritten" in reasons[3]
    assert Witnessed.objects.count() == 1  # nothing more countersigned
    # Only a checkpoint that follows is countersigned.
    with mock.patch.object(witness, "_entry_hash", return_value="a" * 64):
        offer(peer, checkpoint(9, "d" * 64))
    assert Witnessed.objects.count() == 2


def test_a_server_acts_only_for_its_own_organisations(peer, world):
    from tribune.networks import networks
    from tribune.offices.models import BodyKind, TermSource
    from tribune.offices.services import begin_term, create_body, create_office

    body = create_body(world.org, name="Network delegation", kind=BodyKind.COMMISSION)
    office = create_office(
        body, title="Network delegate", mandate="Represent us.", powers=["represent_in_networks"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    network = networks.found_network(
        world.ana,
        world.org,
        name="Rent Network",
        slug="rent-network",
        purpose="Together.",
        decision_rule="one_vote",
        decision_kind="mandate",
    )
    remote_org = f"{REMOTE}/id/organisation/{uuid.uuid4()}"
    networks.invite(world.ana, world.org, network, member_uri=remote_org, member_name="Far Union")
    decision = {
        "kind": "mandate",
        "uri": f"{REMOTE}/id/decision/{uuid.uuid4()}",
        "title": "Join",
        "decided_at": timezone.now().isoformat(),
        "organisation_uri": remote_org,
    }

    def act(member_uri: str):
        network_bridge.act_received(
            peer,
            {
                "object": {
                    "target": network.uri,
                    "action": "join",
                    "values": {
                        "network_uri": network.uri,
                        "member_uri": member_uri,
                        "decision": {**decision, "organisation_uri": member_uri},
                    },
                }
            },
        )

    # The peer may not act for an organisation of this server (or of any other).
    with pytest.raises(RuleViolation, match="its own organisations"):
        act(world.org.uri)
    act(remote_org)
    assert network.memberships.get(member_uri=remote_org).state == "member"
