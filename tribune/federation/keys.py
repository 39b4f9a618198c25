"""The server key: Ed25519, in a file of the data directory, signing every request we send.

Kept like the audit key (tribune/audit/keys.py, whose loader it shares): created
on first start with mode 0600, never in the database, so never in a database
backup. It is a different key from the audit key: a server's identity towards its
peers and its signature on its own log are separate statements.
"""

import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from tribune.audit.keys import load_or_create
from tribune.federation.urls_util import site


def key_file() -> Path:
    return Path(settings.TRIBUNE_FEDERATION_KEY_FILE)


def private_key() -> Ed25519PrivateKey:
    return load_or_create(key_file())


def public_key_pem(key: Ed25519PrivateKey | None = None) -> str:
    public = (key or private_key()).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_key(pem: str) -> Ed25519PublicKey:
    """A peer's key from its actor document; ``ValueError`` if it is not Ed25519."""
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("The server key is not an Ed25519 key.")
    return key


def server_uuid() -> uuid.UUID:
    """The UUID ending the server actor's URI: derived from the key, stable while it is."""
    return uuid.uuid5(uuid.NAMESPACE_URL, public_key_pem())


def actor_id() -> str:
    return f"{site()}/federation/actors/{server_uuid()}"


def key_id() -> str:
    return f"{actor_id()}#main-key"
