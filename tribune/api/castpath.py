"""The lean cast path: ballots sent with a personal token, answered beside Django's request cycle.

At a congress thousands of delegates vote within seconds, and each ballot paid
for the whole of Django's request cycle: a dozen middleware (sessions, CSRF,
messages, locale, allauth...), django-ninja's routing, schema and rendering,
then three lookups (token, membership, vote) before the cast itself — about
12 ms of server CPU per ballot, of which the cast's own work was under half
(profile in docs/benchmarks.md). ``tribune.asgi`` hands the two cast
endpoints here when they come with ``Authorization: Bearer``:

* ``POST /api/v1/organisations/<slug>/assemblies/<id>/votes/<id>/ballots``
  (``tribune.assemblies.services.cast_live_vote``), and
* ``POST /api/v1/organisations/<slug>/elections/<id>/ballots``
  (``tribune.elections.services.cast_ballot``).

The cast itself is the same domain call as through the API, so every
guarantee is the domain's: one ballot per voter (the conditional update of
the roll), the late election lock (``elections.lock_open_voting``), the commit
(fsynced on SQLite) before the answer, the secret ballot, the vote rate limit.
What is lean is around it: the token, the user and the membership are found
in one prepared query (``tribune.lib.prepared``); a live vote's fixed facts
(its assembly, its election, its kind) are kept per process; casts arriving
together are committed together (one transaction, one fsync: see
``commit_group``); nothing else runs. Each answered cast is still logged and
timed as Django logs every request (``tribune.ops.middleware``).

Anything this path does not recognise exactly — no token, a token that finds
no membership, an unknown vote, a body that is not a JSON object of the
expected fields, a host not allowed — goes to Django unchanged (its body
replayed), so every refusal other than the domain's comes from one place
and reads the same. Nothing has been written when that happens. The domain's
refusals (already voted, voting closed, too many attempts...) are answered
here in the API's shape: ``{"detail": [{"field": ..., "reason": ...}]}``
with the same status, and ``Retry-After`` when waiting helps.
"""

import asyncio
import json
import logging
import os
import queue
import re
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.http import Http404
from django.http.request import split_domain_port, validate_host
from django.urls import resolve
from django.utils import translation

from tribune.lib.errors import RuleViolation, TooManyAttempts
from tribune.lib.inputs import MAX_ID
from tribune.lib.prepared import Prepared
from tribune.ops import metrics

logger = logging.getLogger(__name__)
request_log = logging.getLogger("tribune.requests")

_SLUG = r"(?P<slug>[-a-zA-Z0-9_]+)"
LIVE = re.compile(
    rf"/api/v1/organisations/{_SLUG}/assemblies/(?P<assembly>[0-9]{{1,19}})"
    r"/votes/(?P<vote>[0-9]{1,19})/ballots"
)
ELECTION = re.compile(
    rf"/api/v1/organisations/{_SLUG}/elections/(?P<election>[0-9]{{1,19}})/ballots"
)
MAX_BODY = 64 * 1024  # a ballot is a few hundred bytes; anything larger goes to Django


def match(scope) -> tuple[str, re.Match] | None:
    """("live"|"election", the path's match) for a cast this path takes, else None."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    path = scope["path"]
    if not path.endswith("/ballots"):
        return None
    for kind, pattern in (("live", LIVE), ("election", ELECTION)):
        found = pattern.fullmatch(path)
        if found is not None:
            ids = [int(v) for k, v in found.groupdict().items() if k != "slug"]
            if all(0 < i <= MAX_ID for i in ids):
                return kind, found
    return None


async def asgi_cast(scope, receive, send, kind: str, found: re.Match, django_app) -> None:
    """Answer one cast, or pass it to ``django_app`` untouched (see the module docstring)."""
    started = time.perf_counter()
    body, messages = b"", []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break  # the client hung up: Django answers that as it always does
        body += message.get("body", b"")
        if len(body) > MAX_BODY or not message.get("more_body", False):
            break
    answer = None
    if len(body) <= MAX_BODY and messages[-1]["type"] == "http.request":
        answer = await _cast_async(kind, found.groupdict(), _headers(scope), body)
    if answer is None:
        # Django answers (and logs) it, as any request.
        return await django_app(scope, _replay(messages, receive), send)
    status, payload, extra = answer
    content = json.dumps(payload).encode()
    headers = [
        *_static_headers(scope),
        (b"content-length", str(len(content)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
    _log(kind, scope["path"], status, time.perf_counter() - started, len(content))


# The route patterns Django's request log names these endpoints by, found once.
_routes: dict[str, str] = {}


def _log(kind: str, path: str, status: int, elapsed: float, size: int) -> None:
    """The request's JSON line and latency metric, as ``tribune.ops.middleware`` gives
    every request Django answers: the route pattern, never the path (it holds ids)."""
    route = _routes.get(kind)
    if route is None:
        try:
            route = resolve(path).route or "unmatched"
        except Http404:
            route = "unmatched"
        _routes[kind] = route
    metrics.REQUEST_LATENCY.labels("POST", route, str(status)).observe(elapsed)
    if settings.TRIBUNE_REQUEST_LOG:
        line = {
            "event": "request",
            "method": "POST",
            "route": route,
            "status": status,
            "ms": round(elapsed * 1000, 1),
            "bytes": size,
        }
        request_log.info(json.dumps(line, separators=(",", ":")))


def _replay(messages: list[dict], receive):
    pending = list(messages)

    async def replay():
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _headers(scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1").lower()
        if key in headers:  # a repeated header: let Django make sense of it
            headers[key] = "\x00repeated"
        else:
            headers[key] = value.decode("latin-1")
    headers["\x00scheme"] = scope.get("scheme", "http")
    return headers


# Django's security middleware adds these to every answer; the cast's answer carries them too.
_static: list[tuple[bytes, bytes]] = []


def _static_headers(scope) -> list[tuple[bytes, bytes]]:
    if not _static:
        from csp.utils import build_policy

        headers = [(b"content-type", b"application/json; charset=utf-8")]
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.append((b"x-content-type-options", b"nosniff"))
        if settings.SECURE_REFERRER_POLICY:
            headers.append((b"referrer-policy", settings.SECURE_REFERRER_POLICY.encode()))
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            coop = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY.encode()
            headers.append((b"cross-origin-opener-policy", coop))
        headers.append((b"x-frame-options", settings.X_FRAME_OPTIONS.encode()))
        headers.append((b"content-security-policy", build_policy().encode()))
        _static[:] = headers
    return _static


# A cast runs in two steps. Its reads — the token, the member, the vote, the body and,
# for a live vote, the rate limit, the delegate, proxies and roll entries
# (``assemblies.services.prepare_live_vote``) — run in a few threads of their own
# (each with its database connection, from the pool), not in the one thread Django
# keeps for its views. Its writes are then
# committed in a group: one thread takes every cast waiting and runs them in one
# transaction, each in a savepoint of its own, and commits once (on SQLite, one
# fsync for the group instead of one per ballot; the writer lock is taken once).
# A group is whatever queued while the previous one committed, so a lone cast
# waits for nobody. Nothing is answered before the group's commit returns: an
# acknowledged ballot is on disk, and a crash (SIGKILL) before the commit loses
# the whole group, none of which was acknowledged. Each cast's writes are still the
# domain's: one ballot per voter (the roll's conditional update, which sees the
# group's earlier casts and re-checks the delegate is present), the election locked
# last (held to the group's commit, so taken once per group: ``one_lock_per_group``).
# CAST_THREADS=0: both steps in Django's own thread, one cast a group, as a view would
# be (and as tests need, whose data lives in the test's transaction, seen by that
# thread only).
CAST_THREADS = int(os.environ.get("CAST_THREADS", "4"))
MAX_GROUP = int(os.environ.get("CAST_GROUP", "64"))
_executor = ThreadPoolExecutor(CAST_THREADS, "cast") if CAST_THREADS > 0 else None


async def _cast_async(kind: str, params: dict, headers: dict, body: bytes):
    """The cast's answer (status, JSON, extra headers), or None for Django."""
    if _executor is None:
        return await sync_to_async(_cast_inline, thread_sensitive=True)(kind, params, headers, body)
    prepare = sync_to_async(_in_request, thread_sensitive=False, executor=_executor)
    work = await prepare(_prepare, kind, params, headers, body)
    if not callable(work):
        return work
    return await asyncio.wrap_future(committer.submit(work))


def _cast_inline(kind: str, params: dict, headers: dict, body: bytes):
    work = _in_request(_prepare, kind, params, headers, body)
    if not callable(work):
        return work
    (answer,) = _in_request(commit_group, [work])
    return answer


def _in_request(function, *args):
    # As around every Django request: among the receivers, close_old_connections,
    # which hands this thread's connection back to the pool at the end.
    request_started.send(sender=__name__)
    try:
        return function(*args)
    finally:
        request_finished.send(sender=__name__)


def commit_group(works: list) -> list:
    """Run each cast's writes in one transaction, each in a savepoint; their answers.

    A cast the domain refuses answers its refusal, its savepoint undone; one that
    fails otherwise answers None (Django then tries it alone, from the start: none
    of it was written). If the group cannot commit, every answer is None: nothing
    of the group is in the database, and nothing has been acknowledged.
    """
    answers = _without_savepoints(works)
    if answers is not None:
        return answers
    answers = []
    try:
        with transaction.atomic():
            for work in works:
                try:
                    with transaction.atomic():
                        answers.append(work())
                except Exception:  # noqa: BLE001 - this cast only; Django retries it alone
                    logger.exception("A cast failed in a group; Django retries it alone.")
                    answers.append(None)
    except Exception:  # noqa: BLE001 - the commit failed: the group is not written
        logger.exception("A group of casts could not commit; Django retries each alone.")
        return [None] * len(works)
    return answers


def _accepted(answer) -> bool:
    return answer is not None and answer[0] < 300


def _without_savepoints(works: list) -> list | None:
    """The group's answers if every cast in it is accepted, committed without a savepoint each.

    A savepoint and its release are two more round trips to PostgreSQL per cast, made
    by the one committing thread while every cast of the next group waits: in a
    congress nearly every cast is accepted, so the group is tried without them first.
    At the first refusal or failure the transaction is rolled back whole (none of it
    was acknowledged) and None says: do it again, each cast in its own savepoint.
    A group of one needs no second try: its refusal is its answer, its writes undone.
    (The second try counts its casts against the vote rate limit again.)
    """
    from tribune.elections.services import casting

    answers: list = []
    try:
        with casting.one_lock_per_group(), transaction.atomic():
            for work in works:
                answers.append(work())
                if not _accepted(answers[-1]):
                    transaction.set_rollback(True)
                    break
    except Exception:  # noqa: BLE001 - told again, and handled, by the try with savepoints
        return None
    if len(works) == 1 and answers:
        return answers
    if len(answers) == len(works) and all(_accepted(a) for a in answers):
        return answers
    return None


class GroupCommitter:
    """One thread that commits the casts submitted to it, a group at a time."""

    def __init__(self, max_group: int = MAX_GROUP) -> None:
        self.max_group = max_group
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, work) -> Future:
        """Queue ``work`` (a cast's writes: returns its answer); its answer once committed."""
        future: Future = Future()
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="cast-commit", daemon=True)
                self._thread.start()
        self._queue.put((work, future))
        return future

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < self.max_group:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                answers = _in_request(commit_group, [work for work, _future in group])
            except BaseException as failure:  # noqa: BLE001 - told to each waiting cast
                for _work, future in group:
                    future.set_exception(failure)
                continue
            for (_work, future), answer in zip(group, answers, strict=True):
                future.set_result(answer)


committer = GroupCommitter()


def _prepare(kind: str, params: dict, headers: dict, body: bytes):
    """The cast's reads: a function doing its writes, an answer (a refusal), or None."""
    if settings.SECURE_SSL_REDIRECT and headers["\x00scheme"] != "https":
        return None
    host, _port = split_domain_port(headers.get("host", ""))
    if not host or not validate_host(host, settings.ALLOWED_HOSTS):
        return None
    auth = headers.get("authorization", "")
    if not auth.startswith("Bearer ") or "json" not in headers.get("content-type", "json"):
        return None
    payload = _payload(kind, body)
    if payload is None:
        return None
    member = _member(params["slug"], auth[7:].strip())
    if member is None:
        return None
    language = _language(headers.get("accept-language", ""))
    with translation.override(language):
        try:
            if kind == "live":
                # The live vote's reads (the delegate, proxies, the roll) run here, in
                # the request's thread: the committing thread only writes.
                writes = _prepare_live(member, _vote(member, params), payload)
            else:
                target = _election(member, params)
                writes = lambda: _cast_ballot(member, target, payload)  # noqa: E731
        except (RuleViolation, Http404) as refusal:
            return _refused(refusal)

    def work():
        with translation.override(language):
            try:
                return writes()
            except (RuleViolation, Http404) as refusal:
                return _refused(refusal)

    return work


def _refused(refusal: Exception) -> tuple[int, dict, list]:
    """A domain refusal (or 404) answered in the API's shape."""
    if isinstance(refusal, Http404):
        return 404, {"detail": [{"field": "__all__", "reason": "Not found."}]}, []
    extra = []
    if isinstance(refusal, TooManyAttempts):
        extra.append((b"retry-after", str(refusal.retry_after).encode()))
    detail = {"detail": [{"field": refusal.field, "reason": str(refusal.message)}]}
    return refusal.status, detail, extra


def _payload(kind: str, body: bytes) -> dict | None:
    """The request's fields if they are exactly what the endpoint's schema takes, else None."""
    from tribune.api.api import CheckedParser

    try:
        data = CheckedParser().parse_body(SimpleNamespace(body=body))
    except (ValueError, RuleViolation, RecursionError):
        return None  # Django answers it, naming what is wrong
    if not isinstance(data, dict) or "choice" not in data:
        return None
    if kind == "live":
        # CastIn: choice, a string.
        if set(data) != {"choice"} or not isinstance(data["choice"], str):
            return None
        return data
    # BallotIn: choice, any JSON; key, a string ("" when absent).
    if not set(data) <= {"choice", "key"} or not isinstance(data.get("key", ""), str):
        return None
    return {"choice": data["choice"], "key": data.get("key", "")}


def _member_query(slug: str, token_hash: str):
    from tribune.members.models import Member

    found = Member.objects.filter(
        organisation__slug=slug, user__is_active=True, user__api_tokens__token_hash=token_hash
    )
    return found.order_by().values_list(*_member_fields(), *_TOKEN_FIELDS)[:1]


def _member_fields() -> list[str]:
    from tribune.members.models import Member

    return [field.attname for field in Member._meta.concrete_fields]


_TOKEN_FIELDS = ("user__api_tokens__pk", "user__api_tokens__last_used_at")
# Every cast runs it: its SQL is built once (see tribune.lib.prepared).
_MEMBER = Prepared(_member_query, str, str)


def _member(slug: str, token: str):
    """The token owner's membership of the organisation ``slug``, in one query; None if none.

    As ``tribune.api.auth.token_or_session`` and ``tribune.api.common.acting`` find
    it through Django: an active user's token, that user's record here.
    """
    from tribune.accounts import usage
    from tribune.accounts.models import hash_token
    from tribune.members.models import Member

    rows = _MEMBER(slug, hash_token(token))
    if not rows:
        return None
    names = _member_fields()
    *values, token_pk, token_used = rows[0]
    member = Member.from_db("default", names, values)
    usage.note_use(SimpleNamespace(pk=token_pk, last_used_at=token_used))
    return member


# A live vote's assembly, election and kind never change once it is open, nor an
# election's organisation: kept per process.
_votes_lock = threading.Lock()
_votes: dict[int, object] = {}
_election_organisations: dict[int, int] = {}


def _live_vote(vote_id: int):
    from tribune.assemblies.models import LiveVote

    with _votes_lock:
        vote = _votes.get(vote_id)
    if vote is None:
        vote = LiveVote.objects.select_related("assembly").filter(pk=vote_id).first()
        if vote is None:
            return None
        with _votes_lock:
            if len(_votes) > 1000:
                _votes.clear()
            _votes[vote_id] = vote
    return vote


def _vote(member, params: dict):
    """The live vote the path names, if it is of the member's organisation; else 404."""
    vote = _live_vote(int(params["vote"]))
    if (
        vote is None
        or vote.assembly_id != int(params["assembly"])
        or vote.assembly.organisation_id != member.organisation_id
    ):
        raise Http404
    return vote


def _prepare_live(member, vote, payload: dict):
    from tribune.assemblies import services

    writes = services.prepare_live_vote(member, vote, payload["choice"])
    # Each cast runs in a savepoint of the group's (``commit_group``) or in a group undone
    # whole at its first refusal (``_without_savepoints``): the writes need none of their own.
    return lambda: (201, {"ballots": writes(savepoint=False)}, [])


def _election(member, params: dict):
    """The election the path names (its id and organisation), if the member's; else 404."""
    from tribune.elections.models import Election

    election_id = int(params["election"])
    with _votes_lock:
        organisation_id = _election_organisations.get(election_id)
    if organisation_id is None:
        found = Election.objects.filter(pk=election_id).values_list("organisation_id", flat=True)
        organisation_id = found.first()
        if organisation_id is None:
            raise Http404
        with _votes_lock:
            if len(_election_organisations) > 10_000:
                _election_organisations.clear()
            _election_organisations[election_id] = organisation_id
    if organisation_id != member.organisation_id:
        raise Http404
    # cast_ballot reads the election afresh (its status, its ballot).
    return Election(pk=election_id, organisation_id=organisation_id)


def _cast_ballot(member, election, payload: dict):
    from tribune.elections import services

    receipt = services.cast_ballot(member, election, payload["choice"], key=payload["key"])
    answer = {"tracker": receipt.tracker, "key": receipt.key, "replaced": receipt.replaced}
    return 201, answer, []


def _language(accept: str) -> str:
    """The language Django's LocaleMiddleware would choose from Accept-Language alone."""
    from django.utils.translation import trans_real

    for code, _quality in trans_real.parse_accept_lang_header(accept):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE
