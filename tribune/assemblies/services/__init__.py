"""Running an assembly: participants, agenda, motions, amendments, speakers, live votes.

The chair acts through the chair's office (a mandate for this assembly
only); every refusal is a RuleViolation with its reason; live changes are
published to the assembly's event channel after each transaction commits.
Votes are elections of kind ``assembly`` so they inherit ballot secrecy,
counting and the published box.

The actions live in one module a subject, as pretix splits ``base/services``
(and as ``tribune.elections.services`` does); this package names them all, so
callers write ``services.open_vote``. Names with a leading underscore are
private to the package (those re-exported here are read by ``sessions`` and by
tests). To replace a name in a test, patch the module that uses it
(``services.progress.PROGRESS_SECONDS``, ``services.ballots.channel``), not
this package.
"""

from tribune.assemblies.services.common import _event, channel
from tribune.assemblies.services.convening import (
    _no_open_vote,
    add_substitute,
    call_congress_elections,
    call_delegate_elections,
    chair_term,
    close_assembly,
    convene,
    delegations,
    give_proxy,
    revoke_proxy,
    seat_participants,
    transfer_vote,
    unit_members,
)
from tribune.assemblies.services.motions import (
    add_agenda_item,
    amend_passage,
    conflicting_amendments,
    consolidated_text,
    set_current_item,
    table_amendment,
    table_motion,
)
from tribune.assemblies.services.programme import amend_programme, found_programme
from tribune.assemblies.services.progress import (
    PROGRESS_DELIVERIES_PER_SECOND,
    PROGRESS_SECONDS,
    _flush_progress,
    _progress,
    _push_progress,
    push_coalesced,
)
from tribune.assemblies.services.ranking import (
    _check_ranking,
    cast_ranking,
    close_ranking_vote,
    competing_motions,
    in_ranked_order,
    open_ranking_vote,
    ranking_of,
    ranking_result,
)
from tribune.assemblies.services.speaking import (
    next_speaker,
    open_vote_of,
    participant_of,
    request_to_speak,
    speakers_list,
)
from tribune.assemblies.services.voting import (
    cast_live_vote,
    close_vote,
    open_vote,
    prepare_live_vote,
    vote_counts,
)

__all__ = [
    "PROGRESS_DELIVERIES_PER_SECOND",
    "PROGRESS_SECONDS",
    "_check_ranking",
    "_event",
    "_flush_progress",
    "_no_open_vote",
    "_progress",
    "_push_progress",
    "add_agenda_item",
    "add_substitute",
    "amend_passage",
    "amend_programme",
    "call_congress_elections",
    "call_delegate_elections",
    "cast_live_vote",
    "cast_ranking",
    "chair_term",
    "channel",
    "close_assembly",
    "close_ranking_vote",
    "close_vote",
    "competing_motions",
    "conflicting_amendments",
    "consolidated_text",
    "convene",
    "delegations",
    "found_programme",
    "give_proxy",
    "in_ranked_order",
    "next_speaker",
    "open_ranking_vote",
    "open_vote",
    "open_vote_of",
    "participant_of",
    "prepare_live_vote",
    "push_coalesced",
    "ranking_of",
    "ranking_result",
    "request_to_speak",
    "revoke_proxy",
    "seat_participants",
    "set_current_item",
    "speakers_list",
    "table_amendment",
    "table_motion",
    "transfer_vote",
    "unit_members",
    "vote_counts",
]
