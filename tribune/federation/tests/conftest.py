"""A server linked with this one, for the federation tests that play its side in-process."""

import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tribune.federation.models import Peer
from tribune.federation.tests.test_inbox import REMOTE, _pem


@pytest.fixture
def peer(db) -> Peer:
    """``REMOTE``, its link approved on both sides."""
    return Peer.objects.create(
        actor_id=f"{REMOTE}/federation/actors/{uuid.uuid4()}",
        key_id=f"{REMOTE}/key#main-key",
        public_key_pem=_pem(Ed25519PrivateKey.generate()),
        inbox=f"{REMOTE}/federation/inbox",
        status=Peer.Status.ACTIVE,
        approved_here=True,
        approved_there=True,
    )
