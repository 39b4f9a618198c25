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


def test_operators_link_acts_are_in_the_servers_chain(pending, capsys):
    """Approve, retry and revoke (page and command) are logged, hash-chained, naming the
    peer server and the operator's account number only; a row changed is caught."""
    from django.core.management.base import CommandError

    from tribune.federation import acts
    from tribune.federation.models import ServerAct
    from tribune.lib.errors import RuleViolation

    client = _client(staff=True)
    operator = client.session["_auth_user_id"]
    client.post("/federation/peers", {"action": "approve", "peer": pending.pk})
    Delivery.objects.filter(peer=pending).update(status=Delivery.Status.FAILED)
    client.post("/federation/peers", {"action": "retry", "peer": pending.pk})
    call_command("peers", "revoke", str(pending.pk))
    logged = list(ServerAct.objects.order_by("seq").values_list("action", "operator_id", "data"))
    assert logged == [
        ("peer.approved", int(operator), {}),
        ("peer.retried", int(operator), {"messages": 1}),
        ("peer.revoked", None, {"stopped": 1}),
    ]
    assert set(ServerAct.objects.values_list("peer_actor", flat=True)) == {pending.actor_id}
    # Nothing private: no e-mail address, user name or key in any entry.
    text = str(list(ServerAct.objects.values()))
    assert "@" not in text and "operator" not in text.replace("operator_id", "")
    assert acts.verify() == (True, None)
    page = client.get("/federation/peers").content.decode()
    assert "peer.retried" in page and "whole" in page
    call_command("peers", "check")
    assert "link acts is whole" in capsys.readouterr().out
    # Append-only through the ORM; and a row changed behind the application's back is caught.
    with pytest.raises(RuleViolation):
        ServerAct.objects.filter(seq=2).update(action="peer.approved")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE federation_serveract SET action = 'peer.approved' WHERE seq = 2")
    assert acts.verify() == (False, 2)
    with pytest.raises(CommandError, match="link acts was changed"):
        call_command("peers", "check")
