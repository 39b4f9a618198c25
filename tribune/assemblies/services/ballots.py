"""The cast path in the hall, shared by yes/no votes and rankings: checks, roll, box.

The hot path of a congress (thousands of casts a minute), kept apart from the
rules of opening and closing votes.
"""

import hashlib
import secrets
from collections.abc import Callable

from django.db import transaction
from django.db.models import Exists, Q
from django.utils.translation import gettext as _t

from tribune.assemblies.models import LiveVote, NamedVote, Participant, Proxy
from tribune.assemblies.services.common import channel
from tribune.assemblies.services.progress import _push_progress
from tribune.assemblies.services.speaking import _participant
from tribune.elections import services as elections
from tribune.elections.models import VoterRoll
from tribune.elections.services import casting
from tribune.lib.errors import RuleViolation
from tribune.members.models import Member


def _cast_in_hall(member: Member, vote: LiveVote, choice, *, field: str) -> int:
    return _prepare_hall_cast(member, vote, choice, field=field)()


def _prepare_hall_cast(member: Member, vote: LiveVote, choice, *, field: str) -> Callable[..., int]:
    """Check the cast and read whom it votes for; the writes putting ``choice`` in the box.

    A delegate with weight w casts w ballots; each is a separate secret ballot in
    the box, so weights and proxies are counted exactly and stay secret where
    the standing orders make votes secret. Where they make votes named, each
    voter's choice is recorded as a named vote (a ranking as "ranking" with the
    motion ids in order).

    The reads (participant, proxies, roll entries) run outside the writes'
    transaction; what they found is checked again by the writes, in the statements
    they make anyway: the roll is marked only where still unmarked and the
    delegate still present (else the cast is refused), so one voter counts once.
    The writes lock the election row just before committing, and ``close_vote``
    locks it to count (``elections.lock_open_voting``). This is the hot path of a
    congress (thousands of casts in a minute), so it reads what it needs in few
    queries and holds the lock briefly. Attempts count against the voter's rate limit
    like any ballot's (``elections.throttle_vote``).
    """
    elections.throttle_vote(member, field)
    participant = _participant(member, vote.assembly)
    proxies = []
    if vote.assembly.proxies_allowed:  # fixed by the standing orders, which never change
        held_or_given = Q(giver=participant) | Q(holder=participant)
        proxies = list(Proxy.objects.filter(held_or_given).select_related("giver"))
    if any(p.giver_id == participant.pk for p in proxies):
        raise RuleViolation(_t("You gave your vote by proxy."), field)
    if not participant.present:
        raise RuleViolation(_t("Check in as present first: only those in the hall vote."), field)
    voters = ([participant] if participant.voting else []) + [p.giver for p in proxies]
    entries = list(
        VoterRoll.objects.filter(
            election_id=vote.election_id,
            member_id__in=[v.member_id for v in voters],
            voted=False,
        ).values_list("pk", "member_id", "weight")
    )
    if not entries:
        raise RuleViolation(_t("You have already voted in this election."), field)
    ranking = choice if isinstance(choice, list) else None

    def write(savepoint: bool = True) -> int:
        # savepoint=False: the caller undoes its whole transaction if this fails.
        with transaction.atomic(savepoint=savepoint):
            if _mark_roll(participant.pk, *(pk for pk, _m, _w in entries)) != len(entries):
                if not Participant.objects.filter(pk=participant.pk, present=True).exists():
                    raise RuleViolation(
                        _t("Check in as present first: only those in the hall vote."), field
                    )
                raise RuleViolation(_t("You have already voted in this election."), field)
            casting.insert_ballots(
                vote.election_id,
                [
                    (choice, hashlib.sha256(secrets.token_bytes(32)).hexdigest(), "")
                    for _pk, _member, weight in entries
                    for _ in range(weight)
                ],
            )
            if not vote.assembly.secret_votes:
                by_member = {v.member_id: v for v in voters}
                NamedVote.objects.bulk_create(
                    NamedVote(
                        live_vote=vote,
                        participant=by_member[member_id],
                        choice="ranking" if ranking is not None else choice,
                        ranking=ranking,
                        ballots=weight,
                    )
                    for _pk, member_id, weight in entries
                )
            elections.lock_open_voting(vote.election_id, field)
            roll = VoterRoll.objects.filter(election_id=vote.election_id, voted=True)
            chan = channel(vote.assembly)
            transaction.on_commit(lambda: _push_progress(chan, vote.pk, roll.count))
        return sum(weight for _pk, _member, weight in entries)

    return write


def _mark_roll(participant_pk: int, *entry_pks: int) -> int:
    """Mark the roll entries voted, if unmarked and the delegate still present; how many."""
    still_present = Participant.objects.filter(pk=participant_pk, present=True)
    unmarked = VoterRoll.objects.filter(pk__in=entry_pks, voted=False)
    return unmarked.filter(Exists(still_present)).update(voted=True)
