"""What the public may see of a vote, and when: the ballot box, trackers, petitions.

Shared by the API and the web pages so that both publish exactly the same
record. The ballot box is secret while votes are cast (a running tally would
sway the rest of the electorate) and public once counted, so that anyone can
recount it; a petition shows how many have signed, never who.
"""

from django.utils.translation import gettext as _t

from tribune.elections import services
from tribune.elections.models import Ballot, Election, RecallPetition, Status
from tribune.lib.errors import RuleViolation

PUBLISHED = (Status.COUNTED, Status.CERTIFIED)


def require_published(election: Election) -> None:
    """Refuse to show the box before the count."""
    if election.status not in PUBLISHED:
        raise RuleViolation(_t("The ballot box is published once the votes are counted."))


def box(election: Election) -> dict:
    """The published box: who was on the ballot and every ballot with its tracker."""
    require_published(election)
    return {
        "election": election.pk,
        "title": election.title,
        "method": election.method,
        "seats": election.seats,
        "candidates": {str(cid): name for cid, name in services.candidate_names(election).items()}
        if election.is_ranked
        else {},
        "ballots": services.published_box(election),
    }


def blt(election: Election) -> str:
    """The published box in BLT, for ``tribune tally`` and other counting software."""
    require_published(election)
    if not election.is_ranked:
        raise RuleViolation(_t("A yes/no vote has no BLT file; use the JSON box."))
    return services.box_blt(election)


def tracker_in_box(election: Election, tracker: str) -> bool:
    """Whether a voter's tracker is in the box (a hash: it reveals nothing else)."""
    return Ballot.objects.filter(election=election, tracker=tracker.strip().lower()).exists()


def petition_summary(petition: RecallPetition) -> dict:
    """A petition as anyone may see it: the count against the threshold, never the names."""
    term = petition.term
    return {
        "id": petition.pk,
        "term_id": term.pk,
        "office_id": term.office_id,
        "office": term.office.title,
        "holder": term.member.name,
        "reason": petition.reason,
        "status": petition.status,
        "signatures": petition.signatures.count(),
        "threshold": petition.threshold,
        "electorate_size": petition.electorate_size,
        "holder_reply": petition.holder_reply,
        "election_id": petition.election_id,
        "opened_at": petition.opened_at,
    }
