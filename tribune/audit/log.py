"""Appending to and verifying the audit chain.

``record`` is called inside the transaction of every action, so an action and
its audit entry commit together or not at all. The organisation row is locked
while the next sequence number is taken, which serialises appends per
organisation on PostgreSQL (SQLite serialises all writers anyway).
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from tribune.audit.keys import pseudonym
from tribune.audit.models import AuditEntry
from tribune.lib import ratelimit
from tribune.lib.errors import TooManyAttempts

GENESIS = "0" * 64

# Acts the rules keep private: no actor, no member in target or data. See docs/audit.md.
PRIVATE_ACTIONS = frozenset(
    {
        # Recall signers are never shown, only the count (docs/elections.md); the
        # opener is the first signer.
        "recall.opened",
        "recall.signed",
        "recall.unsigned",
        # Seconders are shown as a count only.
        "candidacy.seconded",
        # Faction membership may be private, and may become private later: a
        # public joining named in the log could never be taken back.
        "faction.signed",
        "faction.joined",
        "faction.left",
        # A member's own affairs: their application, their appeal, their
        # profile, resignation and erasure. Officers' decisions on them keep the
        # officer's name and mandate, with the member as a pseudonym.
        "member.applied",
        "member.reapplied",
        "member.resigned",
        "member.profile_updated",
        "member.erased",
        "appeal.lodged",
        # Pledges to act are private to each pledger (docs/struggles.md): pledging is
        # never logged, and a withdrawal after the trigger is logged as a count only.
        "pledge.withdrawn_after_trigger",
    }
)


def _digest(entry: AuditEntry) -> str:
    body = {
        "organisation": entry.organisation_id,
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "term": entry.term_id,
        "action": entry.action,
        "target": entry.target,
        "data": entry.data,
        "prev": entry.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def target_label(obj: models.Model | None) -> str:
    """``member:12``-style reference: identifies the object without personal data."""
    if obj is None:
        return ""
    return f"{obj._meta.model_name}:{obj.pk}"


def private_ref(member: "models.Model | int", purpose: models.Model | str) -> str:
    """``ref:<digest>`` naming ``member`` for ``purpose`` only (a petition, a faction...).

    The same member and purpose always give the same reference, so the log
    shows that a signature was added and later withdrawn; another purpose gives
    an unrelated one, and without the server's key file no one can tell whose it is.
    """
    label = purpose if isinstance(purpose, str) else target_label(purpose)
    member_id = member if isinstance(member, int) else member.pk
    return f"ref:{pseudonym(label, member_id)}"


def standing_ref(member: "models.Model | int") -> str:
    """The reference under which a member's standing (application, admission,
    suspension, erasure...) is logged: one per member, and never their id."""
    return private_ref(member, "standing")


def record(
    organisation,
    action: str,
    *,
    actor=None,
    term=None,
    target: models.Model | None = None,
    data: dict | None = None,
) -> AuditEntry:
    """Append one entry to ``organisation``'s chain (call inside the action's transaction).

    For an act in ``PRIVATE_ACTIONS`` an actor, or a member as target, is a bug
    that would publish a private act for ever: it is refused before anything is written.
    """
    from tribune.members.models import Member
    from tribune.organisations.models import Organisation

    if action in PRIVATE_ACTIONS and (actor is not None or isinstance(target, Member)):
        raise ValueError(f"{action} is private: it may not name a member in the audit log.")

    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).exists()
        last = (
            AuditEntry.objects.filter(organisation=organisation)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        # Round-trip through JSON so the stored data hashes the same when read back.
        clean = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
        entry = AuditEntry(
            organisation=organisation,
            seq=seq,
            at=timezone.now().replace(microsecond=0),
            actor=actor,
            term=term,
            action=action,
            target=target if isinstance(target, str) else target_label(target),
            data=clean,
            prev_hash=prev,
        )
        entry.hash = _digest(entry)
        entry.save()
        return entry


@dataclass
class Verification:
    ok: bool
    entries: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(organisation, *, after_seq: int = 0, prev_hash: str = GENESIS) -> Verification:
    """Recompute the chain; report the first entry that does not fit.

    From the start by default; from a trusted point (``after_seq`` whose hash is
    ``prev_hash``, e.g. a verified checkpoint) to verify only what came since.
    ``entries`` counts the entries checked. A chain that is consistent but was
    cut short, or rewritten and rehashed, passes here: only a checkpoint kept
    outside the database catches that (``tribune.audit.checkpoints``).
    """
    prev, expected_seq, count = prev_hash, after_seq + 1, 0
    entries = AuditEntry.objects.filter(organisation=organisation, seq__gt=after_seq)
    for entry in entries.order_by("seq").iterator():
        count += 1
        if entry.seq != expected_seq:
            return Verification(False, count, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != prev:
            return Verification(False, count, entry.seq, "does not link to the entry before it")
        if _digest(entry) != entry.hash:
            return Verification(False, count, entry.seq, "content does not match its hash")
        prev, expected_seq = entry.hash, expected_seq + 1
    return Verification(True, count)


# Where the last verification that passed ended, per organisation: (seq, hash). Kept
# an hour, so that a row altered in place before it (without rehashing: the chain
# still links) is found by a whole-chain check at least that often.
VERIFIED_FOR = 3600
PUBLIC_VERIFY_LIMIT = ratelimit.Limit("audit-verify", attempts=10, seconds=60)


def _verified_key(organisation) -> str:
    return f"tribune:audit-verified:{organisation.pk}"


def verify_since_verified(organisation) -> Verification:
    """``verify_chain`` from where the last verification that passed ended (issue 12).

    Walking 100,000 entries on every public call cost 0.3 s and let anyone tie up
    the server; the entries up to the last verified point are trusted for
    ``VERIFIED_FOR`` seconds once that point's entry still hashes as it did.
    ``entries`` is the length of the chain verified, as for a whole-chain check.
    """
    after, prev = 0, GENESIS
    mark = cache.get(_verified_key(organisation))
    if mark:
        seq, head = mark
        entry = AuditEntry.objects.filter(organisation=organisation, seq=seq).first()
        if entry is not None and entry.hash == head and _digest(entry) == head:
            after, prev = seq, head
    result = verify_chain(organisation, after_seq=after, prev_hash=prev)
    if not result.ok:
        cache.delete(_verified_key(organisation))
        return result
    last = after + result.entries
    if result.entries:
        head = AuditEntry.objects.get(organisation=organisation, seq=last).hash
        cache.set(_verified_key(organisation), (last, head), VERIFIED_FOR)
    return Verification(True, last)


def throttle_public_verify(request) -> None:
    """Refuse an anonymous caller verifying the chain too often (it reads the whole log)."""
    if request.user.is_authenticated:
        return
    wait = PUBLIC_VERIFY_LIMIT.hit(request.META.get("REMOTE_ADDR", ""))
    if wait:
        message = ngettext(
            "Too many verifications of the log; wait %(n)d second.",
            "Too many verifications of the log; wait %(n)d seconds.",
            wait,
        ) % {"n": wait}
        raise TooManyAttempts(message, wait)
