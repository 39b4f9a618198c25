"""RFC 9421 HTTP Message Signatures on every request between servers.

All the canonicalisation, the Content-Digest (RFC 9530) and the Ed25519
arithmetic are the ``http-message-signatures`` library's and ``cryptography``'s;
this module only chooses what is covered and turns the library's refusals into
the reasons the inbox states:

* a POST covers ``@method``, ``@target-uri``, ``content-type`` and
  ``content-digest`` (so the body), a GET ``@method`` and ``@target-uri``;
* every signature carries ``created``, a fresh ``nonce``, ``keyid`` (the
  sending server's ``<actor>#main-key``) and the tag ``tribune``;
* ``created`` more than ``MAX_SKEW`` seconds off either way is stale.
"""

import datetime
import secrets
from dataclasses import dataclass

import requests
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)

from tribune.federation import keys

MAX_SKEW = 300
TAG = "tribune"
LABEL = "tribune"
POST_COMPONENTS = ("@method", "@target-uri", "content-type", "content-digest")
GET_COMPONENTS = ("@method", "@target-uri")
ACTIVITY_JSON = "application/activity+json"
TIMEOUT = 10


class Refusal(Exception):
    """A request refused: the HTTP status, a short code and the reason in words."""

    def __init__(self, status: int, code: str, reason: str):
        super().__init__(reason)
        self.status, self.code, self.reason = status, code, reason

    def as_json(self) -> dict:
        return {"error": self.code, "reason": self.reason}


class _SigningKey(HTTPSignatureKeyResolver):
    def __init__(self, key=None):
        self.key = key

    def resolve_private_key(self, key_id: str):
        return self.key or keys.private_key()

    def resolve_public_key(self, key_id: str):  # pragma: no cover - signing only
        raise NotImplementedError


def sign(
    prepared: requests.PreparedRequest,
    *,
    created: datetime.datetime | None = None,
    key=None,
    key_id: str | None = None,
) -> None:
    """Sign a request in place with the server key (adds Content-Digest to a POST).

    ``key`` and ``key_id`` sign as another server (tests of the inbox do).
    """
    body = prepared.body if prepared.method != "GET" else None
    if isinstance(body, str):
        body = body.encode()
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=_SigningKey(key)
    )
    signer.sign(
        prepared,
        key_id=key_id or keys.key_id(),
        label=LABEL,
        tag=TAG,
        nonce=secrets.token_urlsafe(16),
        created=created or datetime.datetime.now(datetime.UTC),
        covered_component_ids=POST_COMPONENTS[:3] if body is not None else GET_COMPONENTS,
        body=body,
    )


def post(url: str, body: bytes, *, session: requests.Session | None = None) -> requests.Response:
    """A signed POST of an activity to another server's inbox."""
    prepared = requests.Request(
        "POST", url, data=body, headers={"Content-Type": ACTIVITY_JSON}
    ).prepare()
    sign(prepared)
    return (session or requests.Session()).send(prepared, timeout=TIMEOUT, allow_redirects=False)


def get(url: str) -> requests.Response:
    """A signed GET (an object fetched again from its origin, a witnessed checkpoint)."""
    prepared = requests.Request("GET", url, headers={"Accept": ACTIVITY_JSON}).prepare()
    sign(prepared)
    with requests.Session() as session:
        return session.send(prepared, timeout=TIMEOUT, allow_redirects=False)


class _Stale(InvalidSignature):
    pass


class _Verifier(HTTPMessageVerifier):
    # With max_age 0 below, the library refuses a ``created`` older than this
    # skew, and (always) one further than this in the future: ±MAX_SKEW seconds.
    max_clock_skew = datetime.timedelta(seconds=MAX_SKEW)

    def validate_created_and_expires(self, sig_input, max_age=None):
        try:
            super().validate_created_and_expires(sig_input, max_age=max_age)
        except InvalidSignature as error:
            raise _Stale(str(error)) from error


class PeerKeys(HTTPSignatureKeyResolver):
    """Keys of the peers this server knows (any status; the status is checked after)."""

    def __init__(self, fetch_unknown=None):
        self.peer = None
        self.unknown: str | None = None
        self.fetch_unknown = fetch_unknown

    def resolve_public_key(self, key_id: str):
        from tribune.federation.models import Peer

        peer = Peer.objects.filter(key_id=key_id).first()
        if peer is None and self.fetch_unknown is not None:
            peer = self.fetch_unknown(key_id)
        if peer is None:
            self.unknown = key_id
            return None
        self.peer = peer
        return keys.load_public_key(peer.public_key_pem)

    def resolve_private_key(self, key_id: str):  # pragma: no cover - verification only
        raise NotImplementedError


@dataclass
class _Message:
    method: str
    url: str
    headers: dict


@dataclass
class Verified:
    peer: object
    nonce: str


def verify(request, body: bytes | None, *, fetch_unknown=None) -> Verified:
    """Check a Django request's signature; the sending peer, or ``Refusal`` (401) saying why.

    The peer's link status is not looked at here (the caller answers 403 for a
    link that is not active): an unknown key is 401, a known but revoked one 403.
    """
    headers = dict(request.headers)
    names = {name.lower() for name in headers}
    if "signature" not in names or "signature-input" not in names:
        raise Refusal(
            401, "unsigned", "The request is not signed (RFC 9421 HTTP Message Signatures)."
        )
    message = _Message(request.method, request.build_absolute_uri(), headers)
    resolver = PeerKeys(fetch_unknown)
    verifier = _Verifier(signature_algorithm=algorithms.ED25519, key_resolver=resolver)
    required = POST_COMPONENTS if body is not None else GET_COMPONENTS
    try:
        results = verifier.verify(
            message,
            max_age=datetime.timedelta(0),
            expect_tag=TAG,
            require_components=required,
        )
    except _Stale as error:
        raise Refusal(
            401, "stale", f"The signature's created time is more than {MAX_SKEW} s off ({error})."
        ) from None
    except InvalidSignature as error:
        if resolver.unknown is not None:
            raise Refusal(
                401, "unknown_key", "The signing key is not known to this server."
            ) from None
        raise Refusal(401, "bad_signature", f"The signature does not verify ({error}).") from None
    except Exception as error:  # a malformed header the library refuses otherwise
        raise Refusal(401, "bad_signature", f"The signature cannot be read ({error}).") from None
    if body is not None:
        try:
            verifier.verify_body(message, results, body)
        except Exception:
            raise Refusal(
                401, "digest_mismatch", "The Content-Digest does not match the request's body."
            ) from None
    nonce = results[0].nonce
    if not isinstance(nonce, str) or not nonce:
        raise Refusal(401, "no_nonce", "The signature carries no nonce.")
    return Verified(resolver.peer, nonce)
