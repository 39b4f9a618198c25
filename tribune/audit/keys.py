"""The server's audit key: signs checkpoints of the chain and keys pseudonyms.

The key lives in a file, never in the database: an operator who can rewrite
the database (and so recompute every hash of the chain) must not also find
there what proves the rewritten chain to be the server's. The file is
``settings.TRIBUNE_AUDIT_KEY_FILE`` (by default ``audit-signing-key.pem`` in
the data directory, or ``$TRIBUNE_AUDIT_KEY_FILE``), created on first use with
mode 0600. It holds one Ed25519 private key (PKCS#8 PEM, from
``cryptography``); nothing here implements a primitive by hand.

Two uses, kept apart by derivation rather than by reusing the key:

* ``sign`` signs a checkpoint body (Ed25519);
* ``pseudonym`` gives a per-purpose reference to a member for the public log:
  HMAC-SHA256 under a key derived from the private key with HKDF, over the
  purpose and the member id. Without the key file it cannot be reversed (the
  small set of member ids cannot be tried), and two purposes (two petitions,
  two factions) give unrelated references for the same member.
"""

import base64
import hashlib
import hmac
import logging
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

logger = logging.getLogger(__name__)

PSEUDONYM_INFO = b"tribune-audit-pseudonym/1"


def key_file() -> Path:
    """Where the server's audit key is kept (a setting, so tests and deployments can move it)."""
    configured = getattr(settings, "TRIBUNE_AUDIT_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit-signing-key.pem"


@lru_cache(maxsize=8)
def _load(path: Path) -> Ed25519PrivateKey:
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            # O_EXCL: two processes starting at once must not each write a key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pem = path.read_bytes()
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            return key
    if path.stat().st_mode & 0o077:
        logger.warning("The audit key %s is readable by others: chmod 600 it.", path)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key.")
    return key


def load_or_create(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key kept in ``path``, created there (mode 0600) on first use.

    Public for the federation's server key (tribune/federation/keys.py), which is
    kept the same way as this one, in a file of its own.
    """
    return _load(Path(path))


def private_key() -> Ed25519PrivateKey:
    """The server's key, created on first use."""
    return _load(key_file())


def encode_public_key(public: Ed25519PublicKey) -> str:
    """Raw 32-byte public key, base64 (the form checkpoints carry)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def decode_public_key(text: str) -> Ed25519PublicKey:
    """Inverse of ``encode_public_key``; raises ``ValueError`` on anything else."""
    raw = base64.b64decode(text.encode(), validate=True)
    return Ed25519PublicKey.from_public_bytes(raw)


def decode_signature(text: str) -> bytes:
    """A base64 signature as bytes; raises ``ValueError`` if it is not base64."""
    return base64.b64decode(text.encode(), validate=True)


def key_id(public_key_b64: str) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


def public_key() -> str:
    return encode_public_key(private_key().public_key())


def sign(message: bytes, key: Ed25519PrivateKey | None = None) -> dict:
    """A signature entry ``{key_id, public_key, signature}`` over ``message``."""
    key = key or private_key()
    encoded = encode_public_key(key.public_key())
    return {
        "key_id": key_id(encoded),
        "public_key": encoded,
        "signature": base64.b64encode(key.sign(message)).decode(),
    }


@lru_cache(maxsize=8)
def _pseudonym_key(path: Path) -> bytes:
    raw = _load(path).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PSEUDONYM_INFO).derive(raw)


def pseudonym(purpose: str, member_id: int) -> str:
    """A reference to one member for one purpose, unlinkable across purposes.

    ``purpose`` names the thing acted on (``"recall-petition:7"``); the same
    member signing two petitions gets two unrelated references, while their
    signing and withdrawing on one petition share one.
    """
    message = f"{purpose}\x00{member_id}".encode()
    return hmac.new(_pseudonym_key(key_file()), message, hashlib.sha256).hexdigest()[:32]
