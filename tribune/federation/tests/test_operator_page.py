"""The operator's page of peer links: staff only; approving and revoking act as the command does."""

import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.test import Client

from conftest import make_user
from tribune.federation.models import Delivery, Peer
from tribune.federation.tests.test_inbox import REMOTE, _pem


@pytest.fixture(autouse=True)
def server_key(settings, tmp_path):
    settings.TRIBUNE_FEDERATION_KEY_FILE = str(tmp_path / "federation-key.pem")


@pytest.fixture
def pending(db):
    return Peer.objects.create(
        actor_id=f"{REMOTE}/federation/actors/{uuid.uuid4()}",
        key_id=f"{REMOTE}/key#main-key",
        public_key_pem=_pem(Ed25519PrivateKey.generate()),
        inbox=f"{REMOTE}/federation/inbox",
        status=Peer.Status.PENDING,
        approved_there=True,
    )


def _client(staff: bool) -> Client:
    user = make_user("operator" if staff else "someone")
    user.is_staff = staff
    user.save()
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_only_the_operator_sees_the_page(pending):
    assert Client().get("/federation/peers").status_code == 404
    member = _client(staff=False)
    assert member.get("/federation/peers").status_code == 404
    assert member.post("/federation/peers", {"action": "revoke"}).status_code == 404
    page = _client(staff=True).get("/federation/peers")
    assert page.status_code == 200 and "Approve the link" in page.content.decode()


def test_approve_then_revoke(pending):
    client = _client(staff=True)
    assert (
        client.post("/federation/peers", {"action": "approve", "peer": pending.pk}).status_code
        == 302
    )
    pending.refresh_from_db()
    assert pending.status == Peer.Status.ACTIVE
    # The other server is told (an Accept waiting in the outbox for it).
    accept = Delivery.objects.get(peer=pending)
    assert accept.activity.type == "Accept"
    assert (
        client.post("/federation/peers", {"action": "revoke", "peer": pending.pk}).status_code
        == 302
    )
    pending.refresh_from_db()
    assert pending.status == Peer.Status.REVOKED
    accept.refresh_from_db()
    assert accept.status in (
        Delivery.Status.STOPPED,
        Delivery.Status.FAILED,
        Delivery.Status.DELIVERED,
    )
    refused = client.post("/federation/peers", {"action": "revoke", "peer": pending.pk})
    assert refused.status_code == 400 and "already revoked" in refused.content.decode()
    assert client.post("/federation/peers", {"action": "nothing"}).status_code == 400


def test_the_command_lists_and_refuses_clearly(pending, capsys):
    call_command("peers", "list")
    assert "[pending]" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="number of a peer"):
        call_command("peers", "approve", "999")
