"""The clock drives the lifecycle: every step the server clock allows, taken for one
election or, at each tick, for all of them.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune import voting
from tribune.elections import turnout
from tribune.elections.models import Candidacy, Election, Kind, Status
from tribune.elections.services.certification import certify
from tribune.elections.services.counting import candidate_names, count
from tribune.elections.services.electorates import electorate
from tribune.elections.services.nominations import _ballot_candidacies
from tribune.elections.services.scheduling import PER_OCCASION
from tribune.elections.services.steps import _move, _open_voting
from tribune.lib.clock import each_alone


def step_due(election: Election, now=None) -> bool:
    """Does the clock allow ``election`` (as read) a step ``advance`` would take?

    Without a lock: a page about to show the election asks this first, so that
    viewing one that has nothing due (a certified result, say) takes no write lock
    and no transaction; ``advance`` checks again under its lock.
    """
    now = now or timezone.now()
    status = election.status
    return (
        (
            status == Status.CALLED
            and election.kind == Kind.OFFICE
            and now >= election.nominations_open_at
        )
        or (status == Status.NOMINATIONS and now >= election.nominations_close_at)
        or (status in {Status.CALLED, Status.NOMINATIONS_CLOSED} and now >= election.voting_open_at)
        or (status == Status.VOTING and now >= election.voting_close_at)
    )


@transaction.atomic
def advance(election: Election, now=None) -> Election:
    """Take every step the server clock now allows; safe to call at any time, repeatedly."""
    now = now or timezone.now()
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status == Status.CALLED and election.kind == Kind.OFFICE:
        if now >= election.nominations_open_at:
            _move(election, Status.NOMINATIONS)
    if election.status == Status.NOMINATIONS and now >= election.nominations_close_at:
        _move(election, Status.NOMINATIONS_CLOSED)
    ready = {Status.CALLED, Status.NOMINATIONS_CLOSED}
    if election.status in ready and now >= election.voting_open_at:
        standing = _ballot_candidacies(election) if election.kind == Kind.OFFICE else []
        if election.kind == Kind.OFFICE and not standing:
            _move(election, Status.CANCELLED, data={"reason": "no candidates"})
            election.cancelled_reason = (
                _t("No one stood.")
                if election.office.body.kind in PER_OCCASION
                else _t("No one stood: a new election will be called.")
            )
            election.save(update_fields=["cancelled_reason"])
            return election
        if (
            standing
            and len(standing) <= election.seats
            and election.organisation.current_constitution().uncontested_returns
        ):
            return _return_unopposed(election)
        _open_voting(election)
    if election.status == Status.VOTING:
        turnout.note(election, now)  # the clock keeps each ended day's count, not a cast
    if election.status == Status.VOTING and now >= election.voting_close_at:
        _move(election, Status.VOTING_CLOSED)
        election = count(election)
        if election.returning_office_id is None:
            election = certify(None, election)
    return election


def _return_unopposed(election: Election) -> Election:
    """No more candidates than seats, and the constitution returns them without a vote."""
    names = candidate_names(election)
    for rank, candidacy_id in enumerate(names, start=1):
        Candidacy.objects.filter(pk=candidacy_id).update(elected_rank=rank)
    result = voting.Result(
        method=election.method,
        seats=election.seats,
        elected=list(names.values()),
        parameters={"returned_unopposed": True},
    ).to_dict()
    result["outcome"] = _t(
        "Returned unopposed: no more candidates stood than there are seats, and the "
        "constitution returns them without a vote."
    )
    election.result, election.turnout = result, 0
    election.electorate_size = electorate(election).count()
    election.save(update_fields=["result", "turnout", "electorate_size"])
    _move(election, Status.COUNTED, data={"returned_unopposed": len(names)})
    if election.returning_office_id is None:
        election = certify(None, election)
    return election


def advance_all(now=None) -> int:
    """The scheduler's tick: advance every unfinished election, each alone.

    An election that cannot be advanced (say, a row older code let in) is
    logged and skipped; it never stops the clock for the others.
    """
    unfinished = list(
        Election.objects.exclude(
            status__in=[Status.COUNTED, Status.CERTIFIED, Status.CANCELLED]
        ).only("pk", "status")
    )
    return sum(
        each_alone(unfinished, lambda e: advance(e, now).status != e.status, what="election")
    )
