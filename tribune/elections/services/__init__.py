"""Elections from call to certified result, recall, and mandate reports.

Every step is an action that checks its mandate (or runs "by rule", from the
scheduler, with no actor), is dated by the server clock, writes in one
transaction and appends to the audit chain. Counting is done by the voting
engine (``tribune.voting``) on the ballot box exactly as it is published, so
anyone can recount the published box and reach the certified result.

The actions live in one module a subject, as pretix splits ``base/services``;
this package names them all, so callers write ``services.cast_ballot``. Names
with a leading underscore are private to the package (the three re-exported
here are read by tests). To replace a function in a test, patch the module
that calls it (``casting.throttle_vote``), not this package.
"""

from tribune.elections.models import Election
from tribune.elections.services.calling import (
    BACKDATING,
    CALLABLE_KINDS,
    call_congress_election,
    call_dissolution_vote,
    call_election,
)
from tribune.elections.services.cancelling import (
    cancel_election,
    cancel_for_abolished_offices,
    may_cancel,
)
from tribune.elections.services.casting import (
    VOTE_RATE_LIMIT,
    Receipt,
    _key_hash,
    cast_ballot,
    has_voted,
    insert_ballots,
    lock_open_voting,
    one_lock_per_group,
    throttle_vote,
    validate_choice,
)
from tribune.elections.services.certification import _seats, certify
from tribune.elections.services.counting import (
    box_blt,
    box_profile,
    candidate_names,
    count,
    once_certified,
    published_box,
)
from tribune.elections.services.electorates import electorate, in_electorate
from tribune.elections.services.lifecycle import advance, advance_all, step_due
from tribune.elections.services.nominations import (
    _ballot_candidacies,
    accept_nomination,
    candidacy_problem,
    nominate,
    second_nomination,
    withdraw_candidacy,
)
from tribune.elections.services.recall import (
    lapse_petitions,
    open_recall_petition,
    reply_to_recall,
    sign_recall_petition,
    withdraw_signature,
)
from tribune.elections.services.reports import comment_on_report, publish_report
from tribune.elections.services.scheduling import PER_OCCASION, election_lead, schedule_elections
from tribune.lib.errors import RuleViolation

__all__ = [
    "step_due",
    "BACKDATING",
    "CALLABLE_KINDS",
    "PER_OCCASION",
    "VOTE_RATE_LIMIT",
    "Election",
    "Receipt",
    "RuleViolation",
    "_ballot_candidacies",
    "_key_hash",
    "_seats",
    "accept_nomination",
    "advance",
    "advance_all",
    "box_blt",
    "box_profile",
    "call_congress_election",
    "call_dissolution_vote",
    "call_election",
    "cancel_election",
    "cancel_for_abolished_offices",
    "candidacy_problem",
    "candidate_names",
    "cast_ballot",
    "certify",
    "comment_on_report",
    "count",
    "election_lead",
    "electorate",
    "has_voted",
    "in_electorate",
    "lapse_petitions",
    "insert_ballots",
    "lock_open_voting",
    "one_lock_per_group",
    "may_cancel",
    "nominate",
    "once_certified",
    "open_recall_petition",
    "publish_report",
    "published_box",
    "reply_to_recall",
    "schedule_elections",
    "second_nomination",
    "sign_recall_petition",
    "throttle_vote",
    "validate_choice",
    "withdraw_candidacy",
    "withdraw_signature",
]
