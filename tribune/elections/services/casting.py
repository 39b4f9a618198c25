"""The secret ballot: a choice checked, the roll marked and the ballot written in one
transaction, a tracker for the voter, and the vote rate limit.
"""

import hashlib
import json
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import ngettext

from tribune.elections.models import (
    YES_NO_CHOICES,
    Ballot,
    Election,
    Kind,
    Method,
    Status,
    VoterRoll,
)
from tribune.elections.services.counting import candidate_names
from tribune.elections.services.nominations import _on_ballot
from tribune.lib import ratelimit
from tribune.lib.errors import NotPermitted, RuleViolation, TooManyAttempts
from tribune.lib.prepared import Prepared
from tribune.members.models import Member

# At most 20 ballot submissions per voter per minute, counted outside the database
# (tribune.lib.ratelimit): a voter's attempts carry time, so they never sit beside the box.
VOTE_RATE_LIMIT = ratelimit.Limit("vote", attempts=20, seconds=60)


@dataclass
class Receipt:
    tracker: str
    key: str  # the voter's secret to change their vote; "" when changes are not allowed
    replaced: bool = False


def _canonical(choice) -> str:
    return json.dumps(choice, sort_keys=True, separators=(",", ":"))


def _tracker(choice, nonce: str) -> str:
    return hashlib.sha256(f"{_canonical(choice)}|{nonce}".encode()).hexdigest()


def validate_choice(election: Election, choice):
    """Normalise a ballot's content or refuse it with the reason."""
    if election.method == Method.YES_NO:
        if choice not in YES_NO_CHOICES:
            raise RuleViolation(_t("Vote yes, no or abstain."), "choice")
        return choice
    if election.options is not None:
        return _validate_ranking_of_options(election, choice)
    if not isinstance(choice, list | tuple) or not choice:
        raise RuleViolation(_t("Rank at least one candidate."), "choice")
    on_ballot = _on_ballot(election)
    try:
        ranking = [int(c) for c in choice]
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(Infinity)
        raise RuleViolation(_t("A ranking lists candidates."), "choice") from None
    if len(set(ranking)) != len(ranking):
        raise RuleViolation(_t("Each candidate may be ranked only once."), "choice")
    if not set(ranking) <= on_ballot:
        raise RuleViolation(_t("Only candidates on this ballot may be ranked."), "choice")
    return ranking


def _validate_ranking_of_options(election: Election, choice) -> list[int]:
    """A ranking of an election's options (not candidacies): listed ids, each once, one at least."""
    if not isinstance(choice, list | tuple) or not choice:
        raise RuleViolation(_t("Rank at least one option."), "choice")
    try:
        ranking = [int(c) for c in choice]
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(Infinity)
        raise RuleViolation(_t("A ranking lists the options on the ballot."), "choice") from None
    if len(set(ranking)) != len(ranking):
        raise RuleViolation(_t("Each option may be ranked only once."), "choice")
    if not set(ranking) <= set(candidate_names(election)):
        raise RuleViolation(_t("Only the options on this ballot may be ranked."), "choice")
    return ranking


def _key_hash(key: str, member: Member) -> str:
    """What the box stores of a replacement key: useless without the key, and bound to
    the voter, so a key seen over someone's shoulder replaces nothing."""
    return hashlib.sha256(f"{key}|{member.pk}".encode()).hexdigest()


def throttle_vote(member: Member, field: str = "choice") -> None:
    """Refuse a voter's attempt beyond the vote rate limit, saying how long to wait.

    Shared by ballots and the hall's live votes. The count lives in Redis or in
    process memory, never in the box's database (see ``tribune.lib.ratelimit``).
    """
    wait = VOTE_RATE_LIMIT.hit(member.pk)
    if wait:
        message = ngettext(
            "Too many attempts to vote; wait %(n)d second.",
            "Too many attempts to vote; wait %(n)d seconds.",
            wait,
        ) % {"n": wait}
        raise TooManyAttempts(message, wait, field)


def cast_ballot(member: Member, election: Election, choice, *, key: str = "") -> Receipt:
    """Cast (or, with the key from the first receipt, replace) a secret ballot.

    The roll is marked by a conditional UPDATE in the same transaction as the
    ballot is written, so concurrent attempts by one voter count exactly once.
    """
    throttle_vote(member)
    # Read and checked before the transaction, which on SQLite holds the one write
    # lock from its first statement: casts queue only for the writes. Whether
    # voting is still open is checked again, under the election's lock, last.
    election = Election.objects.get(pk=election.pk)
    if election.kind == Kind.ASSEMBLY:
        # Cast in the hall, where weights, proxies and named votes are applied.
        raise RuleViolation(_t("Votes at an assembly are cast on the assembly's page."))
    now = timezone.now()
    if election.status != Status.VOTING or not (
        election.voting_open_at <= now < election.voting_close_at
    ):
        raise RuleViolation(_t("Voting is not open."), "choice")
    choice = validate_choice(election, choice)
    roll = VoterRoll.objects.filter(election=election, member=member)
    not_on_roll = NotPermitted(_t("You are not on the voter roll of this election."))
    with transaction.atomic():
        replaced = False
        if key:
            if not roll.exists():
                raise not_on_roll
            if not election.allow_vote_change:
                raise RuleViolation(_t("This election does not allow changing a vote."), "key")
            old = Ballot.objects.filter(election=election, key_hash=_key_hash(key, member))
            if not roll.filter(voted=True).exists() or old.delete()[0] != 1:
                raise RuleViolation(_t("That ballot key is not valid."), "key")
            replaced = True
        elif roll.filter(voted=False).update(voted=True) != 1:
            # Nothing marked: not on the roll at all, or marked already.
            if not roll.exists():
                raise not_on_roll
            raise RuleViolation(_t("You have already voted in this election."), "choice")
        secret = secrets.token_urlsafe(24) if election.allow_vote_change else ""
        nonce = secrets.token_hex(16)
        tracker = _tracker(choice, nonce)
        Ballot.objects.create(
            election=election,
            choice=choice,
            tracker=tracker,
            key_hash=_key_hash(secret, member) if secret else "",
        )
        lock_open_voting(election.pk, "choice")
    return Receipt(tracker=tracker, key=secret, replaced=replaced)


def lock_open_voting(election_id: int, field: str) -> None:
    """Inside a cast's transaction, as its last step: lock the election row, check it is open.

    Closing (``advance``, an assembly's ``close_vote``) locks the row to count, so a
    ballot is either in the count — the close waited for this commit — or refused
    here, the close having counted first; never written after the tally. Taken
    last, the lock is held only until the commit. Within ``one_lock_per_group``
    it is taken once per election: held to the group's commit, the status it
    found cannot change before then.
    """
    held = getattr(_group, "locked", None)
    if held is not None and election_id in held:
        return
    rows = _LOCKED_STATUS(election_id)
    if not rows or rows[0][0] != Status.VOTING:
        raise RuleViolation(_t("Voting is not open."), field)
    if held is not None:
        held.add(election_id)


_group = threading.local()


@contextmanager
def one_lock_per_group() -> Iterator[None]:
    """Around one transaction holding several casts: each election's lock taken once.

    For the group commit (``tribune.api.castpath``), and only where any failure
    rolls the whole transaction back (no cast in a savepoint of its own that could
    be undone alone, taking a lock with it): the first cast's lock is then held
    to the commit for every later cast of the group.
    """
    _group.locked = set()
    try:
        yield
    finally:
        _group.locked = None


def insert_ballots(election_id: int, ballots: list[tuple]) -> None:
    """Put ballots ``(choice, tracker, key_hash)`` in the box, as ``Ballot.objects.create`` would.

    The hot path of a congress: the INSERT's SQL is built by the ORM once per
    database, then run with each ballot's values (a new random key each).
    """
    connection = connections["default"]
    sql = _ballot_insert.get(connection.vendor)
    if sql is None:
        probe = Ballot(id=uuid.uuid4(), election_id=0, choice="", tracker="", key_hash="")
        query = InsertQuery(Ballot)
        query.insert_values(_BALLOT_FIELDS, [probe])
        ((sql, _params),) = query.get_compiler(connection=connection).as_sql()
        _ballot_insert[connection.vendor] = sql
    rows = [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(
                _BALLOT_FIELDS, (uuid.uuid4(), election_id, *ballot), strict=True
            )
        ]
        for ballot in ballots
    ]
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)


_BALLOT_FIELDS = [
    Ballot._meta.get_field(name) for name in ("id", "election", "choice", "tracker", "key_hash")
]
_ballot_insert: dict[str, str] = {}


# Every cast runs it (its SQL built once; compiled inside the cast's transaction, as
# select_for_update requires).
_LOCKED_STATUS = Prepared(
    lambda election_id: (
        Election.objects.select_for_update(no_key=True).filter(pk=election_id).values_list("status")
    ),
    int,
)


def has_voted(member: Member, election: Election) -> bool:
    return VoterRoll.objects.filter(election=election, member=member, voted=True).exists()
